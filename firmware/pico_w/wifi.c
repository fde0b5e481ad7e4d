/* wifi.c - see wifi.h. */
#include "wifi.h"
#include "clock.h"

#include "callbell/backoff.h"
#include "log.h"
#include "pico/cyw43_arch.h"

#define JOIN_TIMEOUT_MS 30000

typedef enum { WIFI_DOWN, WIFI_JOINING, WIFI_UP } wifi_state;

static wifi_state state;
static uint32_t next_ms; /* DOWN: when to try again; JOINING: when to give up */
static cb_backoff backoff;
static const cb_settings *settings; /* kept by main for the device's life */
static bool told_unset;
static uint8_t saved_bssid[6]; /* the access point of the last join: a sleepy table rejoins it */
static bool have_bssid;

static const char *link_name(int link)
{
    switch (link) {
    case CYW43_LINK_DOWN:
        return "down";
    case CYW43_LINK_JOIN:
        return "joined, no IP yet";
    case CYW43_LINK_NOIP:
        return "no IP address";
    case CYW43_LINK_UP:
        return "up";
    case CYW43_LINK_FAIL:
        return "connection failed";
    case CYW43_LINK_NONET:
        return "network not found";
    case CYW43_LINK_BADAUTH:
        return "wrong password";
    default:
        return "unknown";
    }
}

static void retry_later(uint32_t now_ms)
{
    uint32_t delay_ms = CB_RETRY_WIFI_MIN_MS;
    /* A connection that held CB_BACKOFF_STABLE_MS starts the delays again; one that
     * was dropped sooner (or an attempt that failed) is one more failure. */
    cb_backoff_down(&backoff, now_ms, &delay_ms);
    state = WIFI_DOWN;
    next_ms = now_ms + delay_ms;
    log_printf("wifi: next attempt in %lu ms", (unsigned long)delay_ms);
}

static uint32_t power_save_mode(cb_wifi_pm pm)
{
    switch (pm) {
    case CB_WIFI_PM_AGGRESSIVE:
        return CYW43_AGGRESSIVE_PM;
    case CB_WIFI_PM_NONE:
        return CYW43_NONE_PM;
    case CB_WIFI_PM_PERFORMANCE:
    default:
        return CYW43_PERFORMANCE_PM;
    }
}

void wifi_init(uint32_t seed, uint32_t now_ms, const cb_settings *s)
{
    settings = s;
    cb_backoff_init(&backoff, CB_RETRY_WIFI_MIN_MS, CB_RETRY_WIFI_MAX_MS, seed);
    cyw43_arch_enable_sta_mode();
    state = WIFI_DOWN;
    next_ms = now_ms;
}

void wifi_poll(uint32_t now_ms)
{
    int link = cyw43_tcpip_link_status(&cyw43_state, CYW43_ITF_STA);
    switch (state) {
    case WIFI_DOWN:
        if (settings->wifi_ssid[0] == '\0') {
            if (!told_unset) {
                told_unset = true;
                log_printf("wifi: no network set: on this USB console, set wifi_ssid NAME, set wifi_password PW, "
                           "save, reboot (or: callbell device setup)");
            }
            break;
        }
        if (reached(now_ms, next_ms)) {
            log_printf("wifi: joining \"%s\"", settings->wifi_ssid);
            uint32_t auth = settings->wifi_password[0] ? CYW43_AUTH_WPA2_AES_PSK : CYW43_AUTH_OPEN;
            /* The last access point first (no scan of every channel for it), any
             * access point of the network after a failed try. */
            int err = cyw43_arch_wifi_connect_bssid_async(settings->wifi_ssid, have_bssid ? saved_bssid : NULL,
                                                          settings->wifi_password, auth);
            if (err) {
                log_printf("wifi: join failed to start (%d)", err);
                retry_later(now_ms);
            } else {
                state = WIFI_JOINING;
                next_ms = now_ms + JOIN_TIMEOUT_MS;
            }
        }
        break;
    case WIFI_JOINING:
        if (link == CYW43_LINK_UP) {
            state = WIFI_UP;
            cb_backoff_up(&backoff, now_ms); /* not a reset: see retry_later */
            /* The power-save mode (default PM2) again after every join, so it holds
             * whatever the driver did while (re)associating. */
            cyw43_wifi_pm(&cyw43_state, power_save_mode(settings->wifi_pm));
            have_bssid = cyw43_wifi_get_bssid(&cyw43_state, saved_bssid) == 0;
            log_printf("wifi: up, address %s", ip4addr_ntoa(netif_ip4_addr(&cyw43_state.netif[CYW43_ITF_STA])));
        } else if (link < 0 || reached(now_ms, next_ms)) {
            log_printf("wifi: join failed: %s", link < 0 ? link_name(link) : "timeout");
            have_bssid = false;
            cyw43_wifi_leave(&cyw43_state, CYW43_ITF_STA);
            retry_later(now_ms);
        }
        break;
    case WIFI_UP:
        if (link != CYW43_LINK_UP) {
            log_printf("wifi: lost (%s)", link_name(link));
            cyw43_wifi_leave(&cyw43_state, CYW43_ITF_STA);
            retry_later(now_ms);
        }
        break;
    }
}

bool wifi_is_up(void)
{
    return state == WIFI_UP;
}

bool wifi_rssi(int8_t *rssi)
{
    int32_t value = 0;
    if (state != WIFI_UP || cyw43_wifi_get_rssi(&cyw43_state, &value) != 0) {
        return false;
    }
    *rssi = (int8_t)(value < -127 ? -127 : value > 0 ? 0 : value);
    return true;
}

void wifi_stop(void)
{
    if (state != WIFI_DOWN) {
        cyw43_wifi_leave(&cyw43_state, CYW43_ITF_STA);
    }
    state = WIFI_DOWN;
}

void wifi_restart(uint32_t now_ms)
{
    cyw43_arch_enable_sta_mode();
    state = WIFI_DOWN;
    next_ms = now_ms; /* join at once: a guest is waiting */
}
