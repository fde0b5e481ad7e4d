/* device.h - a callbell table device: buttons in, presses out, LED back.
 *
 * The same engine runs in the Pico W firmware and in `callbell table`, so the
 * simulated table is the firmware's test bench. The engine does no I/O and reads no
 * clock: the shell passes edges, times (a wrapping ms counter) and MQTT events in,
 * and it publishes through the injected cb_mqtt_port.
 *
 * Shell duties, in order: connect with the will from cb_device_will(); on CONNACK call
 * cb_device_connected(); call cb_device_poll() from the main loop; pass PUBACKs,
 * messages and disconnects in.
 *
 * Port contract: publish() must not call cb_device_puback() for the message it is
 * queueing before it returns (the entry is marked in flight with the returned mid).
 * If "online" or a subscription is refused at connect, cb_device_poll retries them
 * before sending presses. An empty retained state payload (a cleared topic) makes
 * that table's state unknown again; a state whose "table" differs from the topic is
 * rejected as CB_E_BAD_ID. cb_device_publish_info publishes regardless of the
 * connection and returns the port's status. */
#ifndef CALLBELL_DEVICE_H
#define CALLBELL_DEVICE_H

#include "callbell/debounce.h"
#include "callbell/mqtt_port.h"
#include "callbell/outbox.h"
#include "callbell/protocol.h"
#include "callbell/status.h"
#include <stdbool.h>
#include <stdint.h>

#define CB_DEVICE_MAX_BUTTONS 8
#define CB_DEVICE_MAX_TABLES 8
#define CB_DEVICE_INFLIGHT 4    /* presses in flight at once */
#define CB_LED_ACK_HOLD_MS 5000 /* LED stays on this long after an ack */
#define CB_ALL_TABLES 0xFF

#define CB_LED_REFUSED_HOLD_MS 5000 /* LED shows a refused press this long */

typedef enum cb_led_mode {
    CB_LED_OFF = 0,
    CB_LED_SLOW,
    CB_LED_ON,
    CB_LED_FAST,
    CB_LED_DOUBLE /* double blink: the hub refused a press (first 5 s) */
} cb_led_mode;

/* What the engine tells the shell's log (USB serial, terminal). */
typedef enum cb_device_event {
    CB_EV_PRESS_QUEUED,  /* a press entered the outbox (detail: seq) */
    CB_EV_PRESS_MERGED,  /* a press merged into a queued one */
    CB_EV_PRESS_DROPPED, /* outbox full: only if a device has > CB_OUTBOX_CAP table/kind pairs */
    CB_EV_PRESS_SENT,    /* handed to the MQTT client */
    CB_EV_PRESS_ACKED,   /* PUBACK: the broker has it; kept until the hub answers */
    CB_EV_PRESS_STORED,  /* the hub stored it; left the outbox (detail: seq) */
    CB_EV_PRESS_REFUSED, /* the hub refused it; left the outbox (detail: seq) */
    CB_EV_STATE,         /* a table's state arrived */
    CB_EV_BAD_MESSAGE    /* an incoming message was rejected (detail: status) */
} cb_device_event;

typedef void (*cb_device_log_fn)(void *ctx, cb_device_event ev, const char *table, cb_kind kind, uint32_t detail);

typedef struct cb_button {
    char table[CB_ID_SIZE];
    cb_kind kind;
} cb_button;

typedef struct cb_device_config {
    char site[CB_ID_SIZE];
    char device[CB_ID_SIZE];
    uint32_t boot;
    cb_button buttons[CB_DEVICE_MAX_BUTTONS];
    uint8_t button_count; /* 1..CB_DEVICE_MAX_BUTTONS */
    uint32_t debounce_ms; /* 0 = CB_DEBOUNCE_DEFAULT_MS */
    bool active_high;     /* seed wiring: pull-down, rising edge = true */
    bool sleepy;          /* power=sleepy: cb_device_sleep_plan may let it sleep */
    cb_device_log_fn log; /* optional */
    void *log_ctx;
} cb_device_config;

typedef struct cb_device_table {
    char id[CB_ID_SIZE];
    bool has_state;
    cb_table_status status;
    uint64_t acked_at;      /* newest ack among the table's requests: a newer one is a new ack */
    uint32_t acked_seen_ms; /* device ms when the ack was first seen */
    uint32_t refused_ms;    /* device ms when the hub last refused a press of it */
    bool refused_showing;   /* within CB_LED_REFUSED_HOLD_MS of refused_ms (cleared by poll) */
    bool ack_hold_over;     /* the CB_LED_ACK_HOLD_MS after it have passed (set by
                               cb_device_poll, so the wrapping ms counter cannot light
                               the LED again 49.7 days later) */
} cb_device_table;

typedef struct cb_device {
    cb_device_config cfg;
    cb_mqtt_port port;
    cb_debounce debounce[CB_DEVICE_MAX_BUTTONS];
    uint8_t button_table[CB_DEVICE_MAX_BUTTONS];
    cb_device_table tables[CB_DEVICE_MAX_TABLES];
    uint8_t table_count;
    cb_outbox outbox;
    bool connected;
    bool subscribed;
    bool has_vitals;
    uint16_t battery_mv;
    int8_t rssi;
    /* ms since boot without the 32-bit wrap, for presses' up_ms (the hub dates a
     * press by it): the wrapping counter of cb_device_poll, extended at each wrap */
    uint32_t clock_last_ms;
    uint32_t clock_wraps;
    bool active_seen;          /* a press, delivery or state since init */
    bool delivered_unseen;     /* a PUBACK since the last poll */
    uint32_t last_activity_ms; /* the last of them (sleepy mode lingers after it) */
} cb_device;

/* Sleepy mode (power=sleepy, a battery table): the engine decides when the shell may
 * turn the radio off and sleep, and how long to stay up. */
#define CB_SLEEPY_LINGER_MS 10000      /* after the last press, delivery or state: show the answer */
#define CB_SLEEPY_MAX_AWAKE_MS 60000   /* a wake that cannot deliver its presses stops trying... */
#define CB_SLEEPY_RETRY_MS (5 * 60000) /* ...and tries again this much later (the presses wait in RAM) */

typedef enum cb_sleep_reason {
    CB_SLEEP_NOT_SLEEPY = 0,  /* stay: power=connected */
    CB_SLEEP_BUTTON_SETTLING, /* stay: a button is being pressed or bouncing */
    CB_SLEEP_DELIVERING,      /* stay: presses wait for the hub's answer */
    CB_SLEEP_SHOWING_ACK,     /* stay: the LED shows a fresh acknowledgement */
    CB_SLEEP_LINGERING,       /* stay: the answer may come (CB_SLEEPY_LINGER_MS) */
    CB_SLEEP_IDLE,            /* sleep until a button */
    CB_SLEEP_GIVE_UP_FOR_NOW  /* sleep, then retry delivery by timer (wake_in_ms) */
} cb_sleep_reason;

typedef struct cb_sleep_plan {
    bool may_sleep;
    uint32_t wake_in_ms; /* 0: only a button wakes it; else also a timer after this long */
    cb_sleep_reason reason;
} cb_sleep_plan;

/* Validates cfg (ids, kinds, button count) and starts the engine disconnected.
 * Returns CB_OK, CB_E_BAD_ID, CB_E_BAD_KIND, CB_E_RANGE (button count), CB_E_ARG. */
cb_status cb_device_init(cb_device *dev, const cb_device_config *cfg, const cb_mqtt_port *port);

/* The last will to register before connecting: topic (device status) and payload
 * "offline", retained, QoS 1. Returns CB_OK or CB_E_BUFFER. */
cb_status cb_device_will(const cb_device *dev, char *topic, size_t topic_cap, const char **payload);

/* A button's pin changed: level after the edge, at t_ms. Debounced (debounce.h): a
 * press counts once the button has stayed pressed for the debounce time, which this
 * call, cb_device_sample or cb_device_poll notices; then it enters the outbox with
 * the time of its first edge. Returns CB_OK, CB_E_RANGE (no such button), CB_E_FULL
 * (a press settled here was dropped). */
cb_status cb_device_edge(cb_device *dev, uint8_t button, bool level_high, uint32_t t_ms);

/* The button's pin read at now_ms (the shell reads every pin each loop, so an edge
 * the interrupt missed or a glitch it saw half is judged by the level). Same returns
 * as cb_device_edge. */
cb_status cb_device_sample(cb_device *dev, uint8_t button, bool level_high, uint32_t now_ms);

/* The broker accepted the connection: publishes "online" (retained), subscribes to the
 * tables' state topics. Unacknowledged presses will be sent again by cb_device_poll. */
cb_status cb_device_connected(cb_device *dev, uint32_t now_ms);

/* The connection is gone: in-flight presses go back to waiting (order kept). */
cb_status cb_device_disconnected(cb_device *dev);

/* Settles debounced presses (a drop is logged), then sends waiting presses (oldest
 * first, at most CB_DEVICE_INFLIGHT in flight) when connected. Call it from the main loop. Returns CB_OK (also when
 * there was nothing to do or the client was busy). */
cb_status cb_device_poll(cb_device *dev, uint32_t now_ms);

/* PUBACK for message id `mid`. Unknown mids (info, status) are fine: CB_OK. */
cb_status cb_device_puback(cb_device *dev, uint16_t mid);

/* An incoming message: the state of one of our tables, or the hub's answer to one of
 * our presses (callbell/<site>/reply/<device>: the press leaves the outbox; a refusal
 * shows on the table's LED). Messages for other topics are ignored (CB_OK); a bad
 * payload is logged and returned (e.g. CB_E_JSON). */
cb_status cb_device_message(cb_device *dev, const char *topic, size_t topic_len, const void *payload,
                            size_t payload_len, uint32_t now_ms);

/* Battery and signal to attach to presses and info (optional). */
cb_status cb_device_set_vitals(cb_device *dev, uint16_t battery_mv, int8_t rssi);

/* Publishes the retained info message. */
cb_status cb_device_publish_info(cb_device *dev, const cb_info *info);

/* Whether the device may sleep now (radio off, dormant until a button or the timer),
 * for a device awake since woke_ms: never while a button settles; not while presses
 * wait for the broker, for up to CB_SLEEPY_MAX_AWAKE_MS of this wake (then it sleeps
 * and retries by timer); not while a fresh ack is shown (CB_LED_ACK_HOLD_MS) or
 * within CB_SLEEPY_LINGER_MS of the last press, delivery or state. Always stays
 * without cfg.sleepy. Returns CB_OK or CB_E_ARG. */
cb_status cb_device_sleep_plan(const cb_device *dev, uint32_t woke_ms, uint32_t now_ms, cb_sleep_plan *plan);

/* LED mode for one table (index into dev->tables) or CB_ALL_TABLES (the most urgent
 * of all: fast > double > slow > on > off), and whether the LED is lit at now_ms
 * (fast: 5 Hz, slow: 1 Hz, 50 % duty; double: two 100 ms flashes a second). Returns CB_OK or CB_E_RANGE. */
cb_status cb_device_led_mode(const cb_device *dev, uint8_t table_index, uint32_t now_ms, cb_led_mode *mode);
cb_status cb_led_lit(cb_led_mode mode, uint32_t now_ms, bool *on);

#endif
