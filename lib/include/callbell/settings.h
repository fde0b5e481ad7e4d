/* settings.h - a table device's settings: the values, their text form, and the
 * record the firmware keeps in flash.
 *
 * One firmware image serves every table: Wi-Fi, broker, credential, site, the
 * button map, LEDs and power mode are set after flashing (over the USB serial
 * console, console.h) and kept in flash; the build's values are only the defaults.
 *
 * Text form: one `key=value` per setting (cb_settings_set / cb_settings_get), the
 * same text the console shows and the flash record holds.
 *
 * Flash record (CB_SETTINGS_RECORD_SIZE bytes, little-endian):
 *   0  u32 magic "CBST"     4  u16 version     6  u16 text length n
 *   8  u32 sequence        12  u32 CRC-32 (IEEE) of bytes 0-11 and the text
 *  16  n bytes of text (`key=value\n` lines), then 0xFF (erased flash) to the end
 * Two copies in two flash sectors, written alternately with a growing sequence:
 * a power cut while one is written leaves the other, which cb_settings_load picks
 * (the valid copy with the newer sequence). */
#ifndef CALLBELL_SETTINGS_H
#define CALLBELL_SETTINGS_H

#include "callbell/device.h"
#include "callbell/status.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CB_SETTINGS_VERSION 1
#define CB_SETTINGS_RECORD_SIZE 2048 /* eight 256-byte flash pages; a sector holds one */
#define CB_SETTINGS_HEADER_SIZE 16
#define CB_SETTINGS_VALUE_MAX 360 /* longest value text: 8 buttons with 32-character tables */
#define CB_SETTINGS_MAX_LEDS 8
#define CB_SETTINGS_GPIO_MAX 28 /* RP2040: GP0-GP28 on pins (GP29 is VSYS/3 on the Pico W) */

typedef enum cb_power_mode { CB_POWER_CONNECTED = 0, CB_POWER_SLEEPY } cb_power_mode;
typedef enum cb_wifi_pm { CB_WIFI_PM_PERFORMANCE = 0, CB_WIFI_PM_AGGRESSIVE, CB_WIFI_PM_NONE } cb_wifi_pm;

typedef struct cb_settings_button {
    uint8_t gpio;
    cb_button button; /* table and kind */
} cb_settings_button;

typedef struct cb_settings_led {
    uint8_t gpio;
    char table[CB_ID_SIZE];
} cb_settings_led;

typedef struct cb_settings {
    char wifi_ssid[33];     /* 1-32 bytes; "" = not set */
    char wifi_password[64]; /* "" (open network) or 8-63 characters (WPA2) */
    char wifi_country[3];   /* ISO 3166 alpha-2 ("GB"), or "" = worldwide */
    cb_wifi_pm wifi_pm;
    char broker[96];        /* mqtt://host[:port] or mqtts://host[:port] */
    char mqtt_user[65];     /* "" = none */
    char mqtt_password[65]; /* "" = none */
    char site[CB_ID_SIZE];
    cb_settings_button buttons[CB_DEVICE_MAX_BUTTONS];
    uint8_t button_count; /* 1..CB_DEVICE_MAX_BUTTONS */
    bool active_high;     /* pull=down (seed wiring, press = high) or pull=up */
    cb_settings_led leds[CB_SETTINGS_MAX_LEDS];
    uint8_t led_count;
    cb_power_mode power;
    uint32_t debounce_ms; /* 1..1000 */
} cb_settings;

/* Where a loaded record came from, so the next save goes to the other copy. */
typedef struct cb_settings_origin {
    bool from_flash;    /* false: no valid copy, the defaults */
    uint8_t slot;       /* 0 or 1: the copy loaded */
    uint32_t sequence;  /* its sequence (0 with the defaults) */
    bool other_invalid; /* the other copy was missing or damaged */
} cb_settings_origin;

/* The seed's board: GP16-GP19 = tables 1-4 call, pull-down, site "demo", broker
 * mqtt://192.168.1.2, connected power mode, 30 ms debounce. CB_OK or CB_E_ARG. */
cb_status cb_settings_defaults(cb_settings *s);

/* Number of keys and the name of key i (0-based, in `get` order). */
size_t cb_settings_key_count(void);
const char *cb_settings_key_name(size_t i);

/* Sets one key from its text. On error *s is unchanged and *why (if not NULL) says
 * what is wrong in a few words. Returns CB_OK, CB_E_MISSING (no such key),
 * CB_E_RANGE / CB_E_BAD_ID / CB_E_BAD_KIND / CB_E_TOO_LONG (bad value), CB_E_ARG. */
cb_status cb_settings_set(cb_settings *s, const char *key, const char *value, const char **why);

/* The text of one key into buf. Secrets (passwords) read back as "********" (or ""
 * if unset) unless show_secrets. CB_OK, CB_E_MISSING, CB_E_BUFFER, CB_E_ARG. */
cb_status cb_settings_get(const cb_settings *s, const char *key, bool show_secrets, char *buf, size_t cap);

/* Checks the whole: a button and an LED on one pin, an LED for a table without a
 * button, two buttons on one pin. CB_OK or CB_E_RANGE with *why. */
cb_status cb_settings_check(const cb_settings *s, const char **why);

/* The broker URL's parts. host_cap >= 1. CB_OK, CB_E_BUFFER, CB_E_RANGE, CB_E_ARG. */
cb_status cb_settings_broker(const cb_settings *s, char *host, size_t host_cap, uint16_t *port, bool *tls);

/* The engine's configuration from the settings (site, buttons, debounce, wiring);
 * device, boot and log are left for the shell. CB_OK or CB_E_ARG. */
cb_status cb_settings_device_config(const cb_settings *s, cb_device_config *cfg);

/* The flash record of *s with `sequence` into rec (CB_SETTINGS_RECORD_SIZE bytes).
 * CB_OK, CB_E_BUFFER (text too long: cannot happen with valid settings), CB_E_ARG. */
cb_status cb_settings_encode(const cb_settings *s, uint32_t sequence, uint8_t *rec, size_t cap);

/* Reads a record over `base` (the defaults: keys a record lacks keep them).
 * Returns CB_OK, CB_E_MISSING (erased or not a record), CB_E_VERSION (a newer
 * format), CB_E_RANGE (damaged: length or checksum), or the error of a bad line. */
cb_status cb_settings_decode(const uint8_t *rec, size_t len, const cb_settings *base, cb_settings *out,
                             uint32_t *sequence);

/* Picks the settings from the two copies (each CB_SETTINGS_RECORD_SIZE bytes): the
 * valid one with the newer sequence, else the defaults. Always fills *out; CB_OK. */
cb_status cb_settings_load(const uint8_t *slot0, const uint8_t *slot1, const cb_settings *defaults, cb_settings *out,
                           cb_settings_origin *origin);

/* Where and with which sequence to save next: the copy not loaded. */
cb_status cb_settings_next_save(const cb_settings_origin *origin, uint8_t *slot, uint32_t *sequence);

/* CRC-32 (IEEE 802.3, reflected, as zlib's crc32) of len bytes, continuing crc. */
uint32_t cb_crc32(uint32_t crc, const void *data, size_t len);

#endif
