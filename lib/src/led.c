/* led.c - the table's answer to the guest (docs/protocol.md "Device LED").
 *
 * Derived, never stored: the mode is a function of the connection, the outbox and
 * the last retained state, so it cannot drift from what the hub said. */
#include "callbell/device.h"

#define FAST_PERIOD_MS 200u  /* 5 Hz */
#define SLOW_PERIOD_MS 1000u /* 1 Hz */
#define DOUBLE_FLASH_MS 100u /* two flashes at the start of each second */

/* Urgency for CB_ALL_TABLES: fast > double > slow > on > off (not the enum order). */
static unsigned urgency(cb_led_mode m)
{
    switch (m) {
    case CB_LED_FAST:
        return 4;
    case CB_LED_DOUBLE:
        return 3;
    case CB_LED_SLOW:
        return 2;
    case CB_LED_ON:
        return 1;
    default:
        return 0;
    }
}

static cb_led_mode table_mode(const cb_device *dev, uint8_t t, uint32_t now_ms)
{
    const cb_device_table *tb = &dev->tables[t];
    if (!dev->connected) {
        return CB_LED_FAST;
    }
    if (tb->refused_showing && (uint32_t)(now_ms - tb->refused_ms) < CB_LED_REFUSED_HOLD_MS) {
        return CB_LED_DOUBLE; /* the guest's press did not count: say so */
    }
    bool waiting = false;
    (void)cb_outbox_has_table(&dev->outbox, t, &waiting);
    if (waiting || (tb->has_state && tb->status == CB_CALLING)) {
        return CB_LED_SLOW;
    }
    if (tb->has_state && tb->status == CB_ACKNOWLEDGED && !tb->ack_hold_over &&
        (uint32_t)(now_ms - tb->acked_seen_ms) < CB_LED_ACK_HOLD_MS) {
        return CB_LED_ON;
    }
    return CB_LED_OFF;
}

cb_status cb_device_led_mode(const cb_device *dev, uint8_t table_index, uint32_t now_ms, cb_led_mode *mode)
{
    if (dev == NULL || mode == NULL) {
        return CB_E_ARG;
    }
    if (table_index == CB_ALL_TABLES) {
        cb_led_mode best = CB_LED_OFF;
        for (uint8_t t = 0; t < dev->table_count; t++) {
            cb_led_mode m = table_mode(dev, t, now_ms);
            if (urgency(m) > urgency(best)) {
                best = m;
            }
        }
        *mode = best;
        return CB_OK;
    }
    if (table_index >= dev->table_count) {
        return CB_E_RANGE;
    }
    *mode = table_mode(dev, table_index, now_ms);
    return CB_OK;
}

cb_status cb_led_lit(cb_led_mode mode, uint32_t now_ms, bool *on)
{
    if (on == NULL) {
        return CB_E_ARG;
    }
    switch (mode) {
    case CB_LED_OFF:
        *on = false;
        return CB_OK;
    case CB_LED_ON:
        *on = true;
        return CB_OK;
    case CB_LED_SLOW:
        *on = (now_ms % SLOW_PERIOD_MS) < SLOW_PERIOD_MS / 2u; /* 50 % duty */
        return CB_OK;
    case CB_LED_FAST:
        *on = (now_ms % FAST_PERIOD_MS) < FAST_PERIOD_MS / 2u;
        return CB_OK;
    case CB_LED_DOUBLE: {
        uint32_t t = now_ms % SLOW_PERIOD_MS; /* on 0-100, off, on 200-300, off */
        *on = t < DOUBLE_FLASH_MS || (t >= 2u * DOUBLE_FLASH_MS && t < 3u * DOUBLE_FLASH_MS);
        return CB_OK;
    }
    default:
        return CB_E_RANGE;
    }
}
