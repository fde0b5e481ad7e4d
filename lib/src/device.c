/* device.c - the table device engine (callbell/device.h).
 *
 * Buttons -> debouncer -> outbox -> MQTT press messages; retained state messages ->
 * per-table LED state. The engine keeps no time of its own: every call brings the
 * shell's wrapping ms counter. It never calls back into the shell except through
 * the port's publish/subscribe and the optional log hook.
 *
 * Contract with the port: publish() must not deliver the PUBACK for the message it
 * is queueing from inside the call (the outbox marks the entry in flight only after
 * publish() returns with the mid). */
#include "callbell/device.h"

#include <string.h>

#define BATTERY_MAX 10000u
#define RSSI_MIN (-127)

static void log_event(const cb_device *dev, cb_device_event ev, const char *table, cb_kind kind, uint32_t detail)
{
    if (dev->cfg.log != NULL) {
        dev->cfg.log(dev->cfg.log_ctx, ev, table, kind, detail);
    }
}

/* Index of table `id` in dev->tables, or table_count. */
static uint8_t table_index(const cb_device *dev, const char *id)
{
    uint8_t i = 0;
    while (i < dev->table_count && strcmp(dev->tables[i].id, id) != 0) {
        i++;
    }
    return i;
}

cb_status cb_device_init(cb_device *dev, const cb_device_config *cfg, const cb_mqtt_port *port)
{
    if (dev == NULL || cfg == NULL || port == NULL || port->publish == NULL || port->subscribe == NULL) {
        return CB_E_ARG;
    }
    if (cb_id_check(cfg->site) != CB_OK || cb_id_check(cfg->device) != CB_OK) {
        return CB_E_BAD_ID;
    }
    if (cfg->button_count < 1u || cfg->button_count > CB_DEVICE_MAX_BUTTONS) {
        return CB_E_RANGE;
    }
    for (uint8_t b = 0; b < cfg->button_count; b++) {
        if (cb_id_check(cfg->buttons[b].table) != CB_OK) {
            return CB_E_BAD_ID;
        }
        if ((unsigned)cfg->buttons[b].kind >= (unsigned)CB_KIND_COUNT) {
            return CB_E_BAD_KIND;
        }
    }
    uint32_t quiet = (cfg->debounce_ms != 0u) ? cfg->debounce_ms : CB_DEBOUNCE_DEFAULT_MS;
    memset(dev, 0, sizeof *dev);
    dev->cfg = *cfg;
    dev->cfg.debounce_ms = quiet;
    dev->port = *port;
    for (uint8_t b = 0; b < cfg->button_count; b++) {
        if (cb_debounce_init(&dev->debounce[b], quiet, cfg->active_high) != CB_OK) {
            memset(dev, 0, sizeof *dev);
            return CB_E_RANGE; /* debounce_ms above 1000 */
        }
        /* Buttons of one table share its LED and state subscription. Distinct
         * tables <= buttons <= CB_DEVICE_MAX_TABLES, so this never overflows. */
        uint8_t t = table_index(dev, cfg->buttons[b].table);
        if (t == dev->table_count) {
            memcpy(dev->tables[t].id, cfg->buttons[b].table, strlen(cfg->buttons[b].table) + 1u);
            dev->table_count++;
        }
        dev->button_table[b] = t;
    }
    return cb_outbox_init(&dev->outbox);
}

cb_status cb_device_will(const cb_device *dev, char *topic, size_t topic_cap, const char **payload)
{
    if (dev == NULL || topic == NULL || payload == NULL) {
        return CB_E_ARG;
    }
    cb_status st = cb_topic_build(CB_TOPIC_DEVICE_STATUS, dev->cfg.site, dev->cfg.device, topic, topic_cap);
    if (st != CB_OK) {
        return st;
    }
    *payload = "offline";
    return CB_OK;
}

/* Something the guest may want to see on the LED happened at t_ms. */
static void mark_activity(cb_device *dev, uint32_t t_ms)
{
    dev->active_seen = true;
    dev->last_activity_ms = t_ms;
}

/* A debounced press of `button` that began at pressed_ms, settled at now_ms, enters
 * the outbox. */
static cb_status queue_press(cb_device *dev, uint8_t button, uint32_t pressed_ms, uint32_t now_ms)
{
    mark_activity(dev, now_ms);
    const cb_button *btn = &dev->cfg.buttons[button];
    uint32_t seq = 0;
    bool merged = false;
    cb_status st = cb_outbox_push(&dev->outbox, dev->button_table[button], btn->kind, pressed_ms, &seq, &merged);
    if (st == CB_E_FULL) {
        log_event(dev, CB_EV_PRESS_DROPPED, btn->table, btn->kind, 0);
        return st;
    }
    if (st == CB_OK) {
        log_event(dev, merged ? CB_EV_PRESS_MERGED : CB_EV_PRESS_QUEUED, btn->table, btn->kind, seq);
    }
    return st;
}

cb_status cb_device_edge(cb_device *dev, uint8_t button, bool level_high, uint32_t t_ms)
{
    if (dev == NULL) {
        return CB_E_ARG;
    }
    if (button >= dev->cfg.button_count) {
        return CB_E_RANGE;
    }
    cb_debounce_result r;
    cb_status st = cb_debounce_edge(&dev->debounce[button], level_high, t_ms, &r);
    return (st == CB_OK && r.pressed) ? queue_press(dev, button, r.pressed_ms, t_ms) : st;
}

cb_status cb_device_sample(cb_device *dev, uint8_t button, bool level_high, uint32_t now_ms)
{
    if (dev == NULL) {
        return CB_E_ARG;
    }
    if (button >= dev->cfg.button_count) {
        return CB_E_RANGE;
    }
    cb_debounce_result r;
    cb_status st = cb_debounce_sample(&dev->debounce[button], level_high, now_ms, &r);
    return (st == CB_OK && r.pressed) ? queue_press(dev, button, r.pressed_ms, now_ms) : st;
}

/* Presses whose level has now held the debounce time enter the outbox in the order
 * they began (oldest first: the largest age at now_ms), so two buttons pressed one
 * after the other are sent in that order. A full outbox is logged. */
static void settle_buttons(cb_device *dev, uint32_t now_ms)
{
    cb_debounce_result settled[CB_DEVICE_MAX_BUTTONS];
    for (uint8_t b = 0; b < dev->cfg.button_count; b++) {
        if (cb_debounce_poll(&dev->debounce[b], now_ms, &settled[b]) != CB_OK) {
            settled[b].pressed = false;
        }
    }
    for (;;) {
        uint8_t oldest = CB_DEVICE_MAX_BUTTONS;
        for (uint8_t b = 0; b < dev->cfg.button_count; b++) {
            if (settled[b].pressed && (oldest == CB_DEVICE_MAX_BUTTONS ||
                                       now_ms - settled[b].pressed_ms > now_ms - settled[oldest].pressed_ms)) {
                oldest = b;
            }
        }
        if (oldest == CB_DEVICE_MAX_BUTTONS) {
            return;
        }
        settled[oldest].pressed = false;
        (void)queue_press(dev, oldest, settled[oldest].pressed_ms, now_ms);
    }
}

/* Publishes "online" and subscribes to every table's state. Sets dev->subscribed
 * only when all of it was accepted; otherwise cb_device_poll tries again (both are
 * idempotent for the broker). */
static cb_status announce(cb_device *dev)
{
    char topic[CB_TOPIC_SIZE];
    uint16_t mid = 0;
    cb_status st = cb_topic_build(CB_TOPIC_DEVICE_STATUS, dev->cfg.site, dev->cfg.device, topic, sizeof topic);
    if (st == CB_OK) {
        st = dev->port.publish(dev->port.ctx, topic, "online", 6, 1, true, &mid);
    }
    for (uint8_t t = 0; t < dev->table_count && st == CB_OK; t++) {
        st = cb_topic_build(CB_TOPIC_STATE, dev->cfg.site, dev->tables[t].id, topic, sizeof topic);
        if (st == CB_OK) {
            st = dev->port.subscribe(dev->port.ctx, topic, 1);
        }
    }
    /* the hub's answers to our presses: a press leaves the outbox only on one */
    if (st == CB_OK) {
        st = cb_topic_build(CB_TOPIC_REPLY, dev->cfg.site, dev->cfg.device, topic, sizeof topic);
    }
    if (st == CB_OK) {
        st = dev->port.subscribe(dev->port.ctx, topic, 1);
    }
    /* the hub coming (back) online: what it has not answered goes again */
    if (st == CB_OK) {
        st = cb_topic_build(CB_TOPIC_HUB_STATUS, dev->cfg.site, NULL, topic, sizeof topic);
    }
    if (st == CB_OK) {
        st = dev->port.subscribe(dev->port.ctx, topic, 1);
    }
    dev->subscribed = (st == CB_OK);
    return st;
}

cb_status cb_device_connected(cb_device *dev, uint32_t now_ms)
{
    if (dev == NULL) {
        return CB_E_ARG;
    }
    (void)now_ms;
    /* Anything in flight or only at the broker belongs to the old session: the broker
     * may have lost it, so it goes again (the hub drops what it already has). */
    (void)cb_outbox_requeue(&dev->outbox);
    dev->connected = true;
    dev->subscribed = false;
    (void)announce(dev); /* a refusal is retried by cb_device_poll */
    return CB_OK;
}

cb_status cb_device_disconnected(cb_device *dev)
{
    if (dev == NULL) {
        return CB_E_ARG;
    }
    dev->connected = false;
    dev->subscribed = false;
    return cb_outbox_requeue(&dev->outbox);
}

static uint32_t inflight_count(const cb_outbox *ob)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < ob->count; i++) {
        uint32_t s = ob->head + i;
        if (s >= CB_OUTBOX_CAP) {
            s -= CB_OUTBOX_CAP;
        }
        if (ob->e[s].state == CB_OUTBOX_INFLIGHT) {
            n++;
        }
    }
    return n;
}

/* Extends the shell's wrapping ms counter to 64 bits. Only cb_device_poll calls it:
 * its times only move forward, while an edge may be stamped a little in the past. */
static uint64_t uptime_ms(cb_device *dev, uint32_t now_ms)
{
    if (now_ms < dev->clock_last_ms) {
        dev->clock_wraps++;
    }
    dev->clock_last_ms = now_ms;
    return ((uint64_t)dev->clock_wraps << 32) | now_ms;
}

/* Publishes one outbox entry; on success marks it in flight. */
static cb_status send_press(cb_device *dev, const cb_outbox_entry *e, uint32_t now_ms)
{
    const cb_device_table *table = &dev->tables[e->table_index];
    cb_press p;
    memset(&p, 0, sizeof p);
    memcpy(p.device, dev->cfg.device, sizeof p.device);
    p.boot = dev->cfg.boot;
    p.seq = e->seq;
    p.kind = e->kind;
    p.age_ms = now_ms - e->pressed_ms; /* wrapping difference: the counter may wrap */
    p.has_up_ms = true;
    p.up_ms = ((uint64_t)dev->clock_wraps << 32) | dev->clock_last_ms;
    p.has_battery = dev->has_vitals;
    p.battery_mv = dev->battery_mv;
    p.has_rssi = dev->has_vitals;
    p.rssi = dev->rssi;
    cb_status st = cb_press_text(table->id, e->kind, p.text, sizeof p.text);
    char topic[CB_TOPIC_SIZE];
    char payload[CB_PAYLOAD_SIZE];
    size_t len = 0;
    if (st == CB_OK) {
        st = cb_topic_build(CB_TOPIC_PRESS, dev->cfg.site, table->id, topic, sizeof topic);
    }
    if (st == CB_OK) {
        st = cb_press_encode(&p, payload, sizeof payload, &len);
    }
    uint16_t mid = 0;
    if (st == CB_OK) {
        st = dev->port.publish(dev->port.ctx, topic, payload, len, 1, false, &mid);
    }
    if (st == CB_OK) {
        st = cb_outbox_sent(&dev->outbox, e->seq, mid);
        log_event(dev, CB_EV_PRESS_SENT, table->id, e->kind, e->seq);
    }
    return st;
}

cb_status cb_device_poll(cb_device *dev, uint32_t now_ms)
{
    if (dev == NULL) {
        return CB_E_ARG;
    }
    (void)uptime_ms(dev, now_ms);
    settle_buttons(dev, now_ms);
    if (dev->delivered_unseen) {
        dev->delivered_unseen = false;
        mark_activity(dev, now_ms);
    }
    /* The LED's ack hold ends once; remembering that keeps the wrapping counter
     * from showing it again much later. */
    for (uint8_t t = 0; t < dev->table_count; t++) {
        cb_device_table *tb = &dev->tables[t];
        if (tb->has_state && tb->status == CB_ACKNOWLEDGED && !tb->ack_hold_over &&
            (uint32_t)(now_ms - tb->acked_seen_ms) >= CB_LED_ACK_HOLD_MS) {
            tb->ack_hold_over = true;
        }
        if (tb->refused_showing && (uint32_t)(now_ms - tb->refused_ms) >= CB_LED_REFUSED_HOLD_MS) {
            tb->refused_showing = false;
        }
    }
    if (!dev->connected) {
        return CB_OK;
    }
    if (!dev->subscribed && announce(dev) != CB_OK) {
        return CB_OK; /* the client is busy: try again on the next poll */
    }
    while (inflight_count(&dev->outbox) < CB_DEVICE_INFLIGHT) {
        cb_outbox_entry e;
        if (cb_outbox_next(&dev->outbox, &e) != CB_OK) {
            break;
        }
        if (send_press(dev, &e, now_ms) != CB_OK) {
            break; /* keep order: nothing younger goes before it */
        }
    }
    return CB_OK;
}

cb_status cb_device_puback(cb_device *dev, uint16_t mid)
{
    if (dev == NULL) {
        return CB_E_ARG;
    }
    /* Find the entry first, for the log line. */
    for (uint32_t i = 0; i < dev->outbox.count; i++) {
        uint32_t s = dev->outbox.head + i;
        if (s >= CB_OUTBOX_CAP) {
            s -= CB_OUTBOX_CAP;
        }
        const cb_outbox_entry *e = &dev->outbox.e[s];
        if (e->state == CB_OUTBOX_INFLIGHT && e->mid == mid) {
            const char *table = dev->tables[e->table_index].id;
            cb_kind kind = e->kind;
            uint32_t seq = 0;
            (void)cb_outbox_acked(&dev->outbox, mid, &seq);
            dev->delivered_unseen = true; /* the next poll marks it: this call has no time */
            log_event(dev, CB_EV_PRESS_ACKED, table, kind, seq);
            return CB_OK;
        }
    }
    return CB_OK; /* info, status, or an ack from an old session */
}

/* The hub's answer to one of our presses: the press leaves the outbox. */
static cb_status answered(cb_device *dev, const void *payload, size_t len, uint32_t now_ms)
{
    cb_press_reply r;
    cb_status st = cb_press_reply_decode((const char *)payload, len, &r);
    if (st != CB_OK) {
        log_event(dev, CB_EV_BAD_MESSAGE, "", CB_KIND_CALL, (uint32_t)st);
        return st;
    }
    cb_outbox_entry e;
    if (r.boot != dev->cfg.boot || cb_outbox_answered(&dev->outbox, r.seq, &e) != CB_OK) {
        return CB_OK; /* an earlier boot's, or a second answer to a resend */
    }
    cb_device_table *tb = &dev->tables[e.table_index];
    mark_activity(dev, now_ms); /* a sleepy device stays up to show the answer */
    if (!r.ok) {
        tb->refused_ms = now_ms;
        tb->refused_showing = true;
    }
    log_event(dev, r.ok ? CB_EV_PRESS_STORED : CB_EV_PRESS_REFUSED, tb->id, e.kind, e.seq);
    return CB_OK;
}

cb_status cb_device_message(cb_device *dev, const char *topic, size_t topic_len, const void *payload,
                            size_t payload_len, uint32_t now_ms)
{
    if (dev == NULL || topic == NULL || (payload == NULL && payload_len > 0)) {
        return CB_E_ARG;
    }
    cb_topic tp;
    if (cb_topic_parse(topic, topic_len, &tp) != CB_OK || strcmp(tp.site, dev->cfg.site) != 0) {
        return CB_OK; /* not ours */
    }
    if (tp.type == CB_TOPIC_REPLY && strcmp(tp.id, dev->cfg.device) == 0) {
        return answered(dev, payload, payload_len, now_ms);
    }
    if (tp.type == CB_TOPIC_HUB_STATUS) {
        /* A hub that comes online may not have had a session while we sent (a new
         * hub, an expired session): everything it has not answered goes again, with
         * the same seqs; it drops what it already has. */
        if (payload_len == 6 && memcmp(payload, "online", 6) == 0) {
            (void)cb_outbox_requeue(&dev->outbox);
        }
        return CB_OK;
    }
    if (tp.type != CB_TOPIC_STATE) {
        return CB_OK;
    }
    uint8_t t = table_index(dev, tp.id);
    if (t == dev->table_count) {
        return CB_OK; /* another table's state */
    }
    cb_device_table *tb = &dev->tables[t];
    if (payload_len == 0) {
        /* An empty retained message deletes the state: we know nothing again. */
        tb->has_state = false;
        return CB_OK;
    }
    cb_state s;
    cb_status st = cb_state_decode((const char *)payload, payload_len, &s);
    if (st == CB_OK && strcmp(s.table, tb->id) != 0) {
        st = CB_E_BAD_ID; /* the payload's table must be the topic's */
    }
    if (st != CB_OK) {
        log_event(dev, CB_EV_BAD_MESSAGE, tb->id, CB_KIND_CALL, (uint32_t)st);
        return st;
    }
    uint64_t acked_at = 0;
    for (uint32_t i = 0; i < s.n_requests; i++) {
        acked_at = s.requests[i].acked_at > acked_at ? s.requests[i].acked_at : acked_at;
    }
    bool new_ack =
        s.status == CB_ACKNOWLEDGED && (!tb->has_state || tb->status != CB_ACKNOWLEDGED || tb->acked_at != acked_at);
    if (new_ack) {
        tb->acked_seen_ms = now_ms;
        tb->ack_hold_over = false;
    }
    mark_activity(dev, now_ms);
    tb->has_state = true;
    tb->status = s.status;
    tb->acked_at = acked_at;
    log_event(dev, CB_EV_STATE, tb->id, s.n_requests > 0 ? s.requests[0].kind : CB_KIND_CALL, (uint32_t)s.status);
    return CB_OK;
}

cb_status cb_device_set_vitals(cb_device *dev, uint16_t battery_mv, int8_t rssi)
{
    if (dev == NULL) {
        return CB_E_ARG;
    }
    if (battery_mv > BATTERY_MAX || rssi < RSSI_MIN || rssi > 0) {
        return CB_E_RANGE;
    }
    dev->has_vitals = true;
    dev->battery_mv = battery_mv;
    dev->rssi = rssi;
    return CB_OK;
}

cb_status cb_device_publish_info(cb_device *dev, const cb_info *info)
{
    if (dev == NULL || info == NULL) {
        return CB_E_ARG;
    }
    char topic[CB_TOPIC_SIZE];
    char payload[CB_PAYLOAD_SIZE];
    size_t len = 0;
    cb_status st = cb_topic_build(CB_TOPIC_DEVICE_INFO, dev->cfg.site, dev->cfg.device, topic, sizeof topic);
    if (st == CB_OK) {
        st = cb_info_encode(info, payload, sizeof payload, &len);
    }
    uint16_t mid = 0;
    if (st == CB_OK) {
        st = dev->port.publish(dev->port.ctx, topic, payload, len, 1, true, &mid);
    }
    return st;
}

/* ---- sleepy mode ---------------------------------------------------------------- */

static bool button_settling(const cb_device *dev)
{
    for (uint8_t b = 0; b < dev->cfg.button_count; b++) {
        if (cb_debounce_busy(&dev->debounce[b])) {
            return true;
        }
    }
    return false;
}

static bool showing_ack(const cb_device *dev, uint32_t now_ms)
{
    for (uint8_t t = 0; t < dev->table_count; t++) {
        const cb_device_table *tb = &dev->tables[t];
        if (tb->has_state && tb->status == CB_ACKNOWLEDGED && !tb->ack_hold_over &&
            (uint32_t)(now_ms - tb->acked_seen_ms) < CB_LED_ACK_HOLD_MS) {
            return true;
        }
    }
    return false;
}

static cb_sleep_reason stay_or_sleep(const cb_device *dev, uint32_t woke_ms, uint32_t now_ms)
{
    if (!dev->cfg.sleepy) {
        return CB_SLEEP_NOT_SLEEPY;
    }
    if (button_settling(dev)) {
        return CB_SLEEP_BUTTON_SETTLING;
    }
    uint32_t waiting = 0;
    (void)cb_outbox_count(&dev->outbox, &waiting);
    if (waiting > 0u) {
        return (uint32_t)(now_ms - woke_ms) < CB_SLEEPY_MAX_AWAKE_MS ? CB_SLEEP_DELIVERING : CB_SLEEP_GIVE_UP_FOR_NOW;
    }
    if (showing_ack(dev, now_ms)) {
        return CB_SLEEP_SHOWING_ACK;
    }
    /* Only activity of this wake counts: an old one must not keep a timer wake up. */
    if (dev->active_seen && (uint32_t)(now_ms - woke_ms) >= (uint32_t)(dev->last_activity_ms - woke_ms) &&
        (uint32_t)(now_ms - dev->last_activity_ms) < CB_SLEEPY_LINGER_MS) {
        return CB_SLEEP_LINGERING;
    }
    return CB_SLEEP_IDLE;
}

cb_status cb_device_sleep_plan(const cb_device *dev, uint32_t woke_ms, uint32_t now_ms, cb_sleep_plan *plan)
{
    if (dev == NULL || plan == NULL) {
        return CB_E_ARG;
    }
    plan->reason = stay_or_sleep(dev, woke_ms, now_ms);
    plan->may_sleep = plan->reason == CB_SLEEP_IDLE || plan->reason == CB_SLEEP_GIVE_UP_FOR_NOW;
    plan->wake_in_ms = plan->reason == CB_SLEEP_GIVE_UP_FOR_NOW ? CB_SLEEPY_RETRY_MS : 0u;
    return CB_OK;
}
