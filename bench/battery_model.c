/* battery_model.c - how long a battery table lasts, connected vs sleepy.
 *
 * Runs the real device engine (lib/, the code the firmware runs) through a
 * simulated service day in 10 ms steps: 30 presses over a 12-hour service, the hub
 * answering each (calling at once, acknowledged after 60 s, done after 3 min). In
 * sleepy mode a press wakes the device; it rejoins Wi-Fi, connects, publishes, and
 * the engine's cb_device_sleep_plan decides when it sleeps again. The model counts
 * the time awake (radio on) and asleep (dormant, radio off) and multiplies by
 * currents published for the Pico W. Nothing here is measured on a board: the
 * currents are other people's measurements and the rejoin time an assumption,
 * printed with the result (docs/firmware.md, "Battery").
 *
 * Output: `name: value unit` lines, as bench/run.sh prints its figures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "callbell/device.h"
#include "callbell/protocol.h"

#define STEP_MS 10u
#define DAY_MS (24u * 3600u * 1000u)
#define SERVICE_START_MS (11u * 3600u * 1000u) /* 11:00 to 23:00 */
#define SERVICE_MS (12u * 3600u * 1000u)
#define PRESSES 30
#define PRESS_HOLD_MS 150u
#define ACK_AFTER_MS 60000u
#define DONE_AFTER_MS 180000u
#define PUBACK_AFTER_MS 50u
#define STATE_AFTER_MS 100u
#define CELL_MAH 3000.0

/* Published currents (mA), none measured on this firmware; sources in
 * docs/firmware.md and the seed's notes. */
#define I_BOARD_AWAKE_MA 30.0  /* RP2040 at 125 MHz + USB + regulator: MicroPython boards idle at 30-33 mA */
#define I_RADIO_PM2_MA 2.0     /* cyw43 associated, power save PM2 (the firmware's default) */
#define I_RADIO_ACTIVE_MA 36.0 /* cyw43, power save off (cyw43-driver PR #126): joining, connecting */
#define I_DORMANT_MA 1.0       /* dormant, radio off (board regulator and pull-downs included) */
#define REJOIN_MS 2500u        /* assumed: join with the saved channel/BSSID + DHCP + MQTT connect */

typedef struct hub_sim {
    cb_table_status status;
    uint64_t call;
    uint32_t press_at;
    bool have_press;
    uint32_t puback_at;
    uint16_t puback_mid;
    bool puback_due;
    uint16_t next_mid;
    bool answer_due; /* the hub's answer to the last press (it ends the delivery) */
    uint32_t answer_at;
    cb_press pressed;
} hub_sim;

static hub_sim hub;
static uint32_t sim_now;

static cb_status fake_publish(void *ctx, const char *topic, const void *payload, size_t len, int qos, bool retain,
                              uint16_t *mid)
{
    (void)ctx;
    (void)qos;
    (void)retain;
    *mid = ++hub.next_mid;
    if (strstr(topic, "/press") != NULL && cb_press_decode(payload, len, &hub.pressed) == CB_OK) {
        hub.puback_due = true;
        hub.puback_mid = *mid;
        hub.puback_at = sim_now + PUBACK_AFTER_MS;
        hub.answer_due = true;
        hub.answer_at = sim_now + STATE_AFTER_MS;
        if (hub.status == CB_IDLE) {
            hub.call++;
            hub.press_at = sim_now;
            hub.have_press = true;
        }
    }
    return CB_OK;
}

static cb_status fake_subscribe(void *ctx, const char *filter, int qos)
{
    (void)ctx;
    (void)filter;
    (void)qos;
    return CB_OK;
}

static void send_state(cb_device *dev, uint32_t now)
{
    cb_state s;
    memset(&s, 0, sizeof s);
    s.status = hub.status;
    s.updated_at = 1;
    if (hub.status != CB_IDLE) {
        cb_request *r = &s.requests[s.n_requests++];
        r->call = hub.call;
        r->kind = CB_KIND_CALL;
        r->status = hub.status;
        r->count = 1;
        r->pressed_at = 1;
        if (hub.status == CB_ACKNOWLEDGED) {
            r->acked_at = 2;
            snprintf(r->acked_by, sizeof r->acked_by, "Ana");
        }
    }
    snprintf(s.table, sizeof s.table, "1");
    char payload[CB_STATE_PAYLOAD_SIZE];
    size_t len = 0;
    if (cb_state_encode(&s, payload, sizeof payload, &len) != CB_OK) {
        fprintf(stderr, "battery_model: cannot encode a state\n");
        exit(2);
    }
    const char *topic = "callbell/demo/table/1/state";
    cb_device_message(dev, topic, strlen(topic), payload, len, now);
}

/* The hub's answer to the last press: stored (the press leaves the outbox). */
static void send_answer(cb_device *dev, uint32_t now)
{
    cb_press_reply r;
    memset(&r, 0, sizeof r);
    r.boot = hub.pressed.boot;
    r.seq = hub.pressed.seq;
    r.ok = true;
    r.kind = hub.pressed.kind;
    r.call = hub.call;
    snprintf(r.table, sizeof r.table, "1");
    char payload[CB_PAYLOAD_SIZE];
    size_t len = 0;
    if (cb_press_reply_encode(&r, payload, sizeof payload, &len) != CB_OK) {
        fprintf(stderr, "battery_model: cannot encode an answer\n");
        exit(2);
    }
    const char *topic = "callbell/demo/reply/battery";
    cb_device_message(dev, topic, strlen(topic), payload, len, now);
}

typedef struct day_result {
    double awake_s;
    double asleep_s;
    unsigned wakes;
    unsigned presses_delivered;
    unsigned acks_seen;
} day_result;

/* One day of the sleepy device. */
static day_result sleepy_day(void)
{
    static cb_device dev;
    cb_device_config cfg;
    memset(&cfg, 0, sizeof cfg);
    snprintf(cfg.site, sizeof cfg.site, "demo");
    snprintf(cfg.device, sizeof cfg.device, "battery");
    snprintf(cfg.buttons[0].table, sizeof cfg.buttons[0].table, "1");
    cfg.buttons[0].kind = CB_KIND_CALL;
    cfg.button_count = 1;
    cfg.active_high = true;
    cfg.sleepy = true;
    cb_mqtt_port port = {.ctx = NULL, .publish = fake_publish, .subscribe = fake_subscribe};
    memset(&hub, 0, sizeof hub);
    hub.status = CB_IDLE;
    if (cb_device_init(&dev, &cfg, &port) != CB_OK) {
        fprintf(stderr, "battery_model: engine refused the configuration\n");
        exit(2);
    }
    uint32_t press_times[PRESSES];
    srand(12345);
    for (int i = 0; i < PRESSES; i++) { /* spread over the service, in 10 ms steps */
        uint32_t slot = SERVICE_MS / PRESSES;
        uint32_t jitter = (uint32_t)rand() % (slot / 2u);
        press_times[i] = (SERVICE_START_MS + (uint32_t)i * slot + jitter) / STEP_MS * STEP_MS;
    }
    day_result r = {0, 0, 0, 0, 0};
    bool asleep = true, connected = false;
    uint32_t woke = 0, connect_at = 0, wake_timer = 0;
    bool timer_set = false;
    int next_press = 0;
    cb_table_status seen_status = CB_IDLE;
    for (uint32_t t = 0; t < DAY_MS; t += STEP_MS) {
        sim_now = t;
        bool edge_now = next_press < PRESSES && t == press_times[next_press];
        bool release_now = next_press > 0 && t == press_times[next_press - 1] + PRESS_HOLD_MS;
        if (asleep && (edge_now || (timer_set && t >= wake_timer))) {
            asleep = false;
            timer_set = false;
            woke = t;
            connect_at = t + REJOIN_MS;
            r.wakes++;
        }
        if (edge_now) {
            cb_device_edge(&dev, 0, true, t);
            next_press++;
        }
        if (release_now) {
            cb_device_edge(&dev, 0, false, t);
        }
        /* The hub's side of each call. */
        cb_table_status before = hub.status;
        if (hub.have_press && hub.status == CB_IDLE && t >= hub.press_at + STATE_AFTER_MS) {
            hub.status = CB_CALLING;
        } else if (hub.status == CB_CALLING && t >= hub.press_at + ACK_AFTER_MS) {
            hub.status = CB_ACKNOWLEDGED;
        } else if (hub.status == CB_ACKNOWLEDGED && t >= hub.press_at + DONE_AFTER_MS) {
            hub.status = CB_IDLE;
            hub.have_press = false;
        }
        if (asleep) {
            r.asleep_s += STEP_MS / 1000.0;
            continue;
        }
        r.awake_s += STEP_MS / 1000.0;
        if (!connected && t >= connect_at) {
            connected = true;
            cb_device_connected(&dev, t);
            send_state(&dev, t); /* the retained state comes with the subscription */
        } else if (connected && hub.status != before) {
            send_state(&dev, t);
        }
        if (connected && hub.puback_due && t >= hub.puback_at) {
            hub.puback_due = false;
            cb_device_puback(&dev, hub.puback_mid);
        }
        if (connected && hub.answer_due && t >= hub.answer_at) {
            hub.answer_due = false;
            send_answer(&dev, t); /* delivered: the hub stored it */
            r.presses_delivered++;
        }
        cb_device_poll(&dev, t);
        if (connected && dev.tables[0].has_state && dev.tables[0].status != seen_status) {
            seen_status = dev.tables[0].status;
            r.acks_seen += seen_status == CB_ACKNOWLEDGED;
        }
        cb_sleep_plan plan;
        cb_device_sleep_plan(&dev, woke, t, &plan);
        if (plan.may_sleep) {
            if (connected) {
                cb_device_disconnected(&dev);
            }
            connected = false;
            asleep = true;
            timer_set = plan.wake_in_ms != 0;
            wake_timer = t + plan.wake_in_ms;
        }
    }
    return r;
}

int main(void)
{
    day_result d = sleepy_day();
    double connected_ma = I_BOARD_AWAKE_MA + I_RADIO_PM2_MA; /* the firmware as it was: never sleeps */
    double sleepy_mah = (d.awake_s * (I_BOARD_AWAKE_MA + I_RADIO_ACTIVE_MA) + d.asleep_s * I_DORMANT_MA) / 3600.0;
    double connected_mah = 24.0 * connected_ma;
    printf("# battery model: the engine over a simulated day (%d presses, ack after %u s, done after %u s)\n", PRESSES,
           ACK_AFTER_MS / 1000u, DONE_AFTER_MS / 1000u);
    printf("# published currents, unmeasured on this firmware: awake board %.0f mA, radio PM2 %.0f mA, radio active "
           "%.0f mA, dormant %.0f mA; rejoin assumed %.1f s\n",
           I_BOARD_AWAKE_MA, I_RADIO_PM2_MA, I_RADIO_ACTIVE_MA, I_DORMANT_MA, REJOIN_MS / 1000.0);
    printf("battery_cell_mah: %.0f mAh\n", CELL_MAH);
    printf("sleepy_wakes_per_day: %u\n", d.wakes);
    printf("sleepy_awake_s_per_day: %.1f s\n", d.awake_s);
    printf("sleepy_presses_delivered: %u of %d\n", d.presses_delivered, PRESSES);
    printf("sleepy_acks_seen_awake: %u of %d\n", d.acks_seen, PRESSES);
    printf("connected_mah_per_day: %.1f mAh\n", connected_mah);
    printf("sleepy_mah_per_day: %.1f mAh\n", sleepy_mah);
    printf("battery_days_connected: %.1f days\n", CELL_MAH / connected_mah);
    printf("battery_days_sleepy: %.1f days\n", CELL_MAH / sleepy_mah);
    return d.presses_delivered == PRESSES ? 0 : 1;
}
