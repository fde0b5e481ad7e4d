/* settings.c - a device's settings, their text form and flash record
 * (callbell/settings.h).
 *
 * Every key is one row of `keys`: its name, how to read its text, how to write
 * it. The flash record stores the same text, so the console, the record and
 * `callbell device setup` can never disagree about a value's form. */
#include "callbell/settings.h"

#include <string.h>

#define MAGIC 0x54534243u /* "CBST" little-endian */
#define TEXT_MAX (CB_SETTINGS_RECORD_SIZE - CB_SETTINGS_HEADER_SIZE)
#define SECRET_SHOWN "********"

typedef cb_status (*setter)(cb_settings *s, const char *v, const char **why);
typedef cb_status (*getter)(const cb_settings *s, char *buf, size_t cap);

typedef struct key_def {
    const char *name;
    setter set;
    getter get;
    bool secret;
} key_def;

/* ---- small text helpers ---------------------------------------------------- */

/* Copies src and zeroes the rest of dst, so equal settings are equal bytes. */
static cb_status copy_text(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap) {
        return CB_E_BUFFER;
    }
    memcpy(dst, src, n);
    memset(dst + n, 0, cap - n);
    return CB_OK;
}

/* No control characters: a value is one line of text. */
static bool printable(const char *v)
{
    for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
        if (*p < 0x20u || *p == 0x7Fu) {
            return false;
        }
    }
    return true;
}

/* Decimal in [lo, hi] over exactly len characters. */
static bool parse_uint(const char *p, size_t len, uint32_t lo, uint32_t hi, uint32_t *out)
{
    if (len < 1u || len > 10u) {
        return false;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (p[i] < '0' || p[i] > '9') {
            return false;
        }
        v = v * 10u + (uint64_t)(p[i] - '0');
    }
    if (v < lo || v > hi) {
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

static cb_status fail(const char **why, const char *text, cb_status st)
{
    if (why != NULL) {
        *why = text;
    }
    return st;
}

/* Appends "%u" to buf at *used. */
static bool put_uint(char *buf, size_t cap, size_t *used, uint32_t v)
{
    char tmp[11];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0u);
    if (*used + n >= cap) {
        return false;
    }
    while (n > 0u) {
        buf[(*used)++] = tmp[--n];
    }
    buf[*used] = '\0';
    return true;
}

static bool put_text(char *buf, size_t cap, size_t *used, const char *t)
{
    size_t n = strlen(t);
    if (*used + n >= cap) {
        return false;
    }
    memcpy(buf + *used, t, n + 1u);
    *used += n;
    return true;
}

/* The GPIOs a setting may use: GP0-GP28 less the Pico W's Wi-Fi chip pins
 * (GP23 power, GP24 data, GP25 chip select; GP29 is past the range). */
static bool usable_gpio(uint32_t g)
{
    return g <= CB_SETTINGS_GPIO_MAX && g != 23u && g != 24u && g != 25u;
}

/* ---- one setter and getter per key -------------------------------------------- */

static cb_status set_wifi_ssid(cb_settings *s, const char *v, const char **why)
{
    if (strlen(v) > 32u || !printable(v)) {
        return fail(why, "an SSID is at most 32 characters", CB_E_TOO_LONG);
    }
    return copy_text(s->wifi_ssid, sizeof s->wifi_ssid, v);
}

static cb_status get_wifi_ssid(const cb_settings *s, char *buf, size_t cap)
{
    return copy_text(buf, cap, s->wifi_ssid);
}

static cb_status set_wifi_password(cb_settings *s, const char *v, const char **why)
{
    size_t n = strlen(v);
    bool ascii = true;
    for (size_t i = 0; i < n; i++) {
        ascii = ascii && v[i] >= 0x20 && v[i] <= 0x7E;
    }
    if ((n != 0u && n < 8u) || n > 63u || !ascii) {
        return fail(why, "a WPA2 password is 8 to 63 ASCII characters (empty: open network)", CB_E_RANGE);
    }
    return copy_text(s->wifi_password, sizeof s->wifi_password, v);
}

static cb_status get_wifi_password(const cb_settings *s, char *buf, size_t cap)
{
    return copy_text(buf, cap, s->wifi_password);
}

static cb_status set_wifi_country(cb_settings *s, const char *v, const char **why)
{
    char cc[3] = {0, 0, 0};
    size_t n = strlen(v);
    for (size_t i = 0; i < n && i < 2u; i++) {
        cc[i] = (v[i] >= 'a' && v[i] <= 'z') ? (char)(v[i] - 'a' + 'A') : v[i];
    }
    if ((n != 0u && n != 2u) || (n == 2u && (cc[0] < 'A' || cc[0] > 'Z' || cc[1] < 'A' || cc[1] > 'Z'))) {
        return fail(why, "a country is two letters (ISO 3166, e.g. GB), or empty for worldwide", CB_E_RANGE);
    }
    memcpy(s->wifi_country, cc, sizeof cc);
    return CB_OK;
}

static cb_status get_wifi_country(const cb_settings *s, char *buf, size_t cap)
{
    return copy_text(buf, cap, s->wifi_country);
}

static const char *const pm_names[] = {"performance", "aggressive", "none"};
static const char *const power_names[] = {"connected", "sleepy"};

/* Index of v in names[0..n), or n. */
static size_t find_name(const char *const *names, size_t n, const char *v)
{
    size_t i = 0;
    while (i < n && strcmp(names[i], v) != 0) {
        i++;
    }
    return i;
}

static cb_status set_wifi_pm(cb_settings *s, const char *v, const char **why)
{
    size_t i = find_name(pm_names, 3, v);
    if (i == 3u) {
        return fail(why, "want performance, aggressive or none", CB_E_RANGE);
    }
    s->wifi_pm = (cb_wifi_pm)i;
    return CB_OK;
}

static cb_status get_wifi_pm(const cb_settings *s, char *buf, size_t cap)
{
    return copy_text(buf, cap, pm_names[s->wifi_pm <= CB_WIFI_PM_NONE ? s->wifi_pm : 0]);
}

/* mqtt[s]://host[:port]: host letters, digits, '.', '-' (a name or IPv4). */
static cb_status parse_broker(const char *v, const char **host, size_t *host_len, uint16_t *port, bool *tls)
{
    static const char plain[] = "mqtt://";
    static const char secure[] = "mqtts://";
    const char *p = v;
    if (strncmp(v, plain, sizeof plain - 1u) == 0) {
        *tls = false;
        p += sizeof plain - 1u;
    } else if (strncmp(v, secure, sizeof secure - 1u) == 0) {
        *tls = true;
        p += sizeof secure - 1u;
    } else {
        return CB_E_RANGE;
    }
    size_t n = 0;
    while (p[n] != '\0' && p[n] != ':') {
        char c = p[n];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
        if (!ok) {
            return CB_E_RANGE;
        }
        n++;
    }
    if (n == 0u || n > 63u) {
        return CB_E_RANGE;
    }
    uint32_t pv = *tls ? 8883u : 1883u;
    if (p[n] == ':' && !parse_uint(p + n + 1u, strlen(p + n + 1u), 1u, 65535u, &pv)) {
        return CB_E_RANGE;
    }
    *host = p;
    *host_len = n;
    *port = (uint16_t)pv;
    return CB_OK;
}

static cb_status set_broker(cb_settings *s, const char *v, const char **why)
{
    const char *host = NULL;
    size_t host_len = 0;
    uint16_t port = 0;
    bool tls = false;
    if (strlen(v) >= sizeof s->broker || parse_broker(v, &host, &host_len, &port, &tls) != CB_OK) {
        return fail(why, "want mqtt://host[:port] or mqtts://host[:port]", CB_E_RANGE);
    }
    return copy_text(s->broker, sizeof s->broker, v);
}

static cb_status get_broker(const cb_settings *s, char *buf, size_t cap)
{
    return copy_text(buf, cap, s->broker);
}

static cb_status set_credential(char *dst, size_t cap, const char *v, const char **why)
{
    if (strlen(v) >= cap || !printable(v)) {
        return fail(why, "at most 64 characters, no control characters", CB_E_TOO_LONG);
    }
    return copy_text(dst, cap, v);
}

static cb_status set_mqtt_user(cb_settings *s, const char *v, const char **why)
{
    return set_credential(s->mqtt_user, sizeof s->mqtt_user, v, why);
}

static cb_status get_mqtt_user(const cb_settings *s, char *buf, size_t cap)
{
    return copy_text(buf, cap, s->mqtt_user);
}

static cb_status set_mqtt_password(cb_settings *s, const char *v, const char **why)
{
    return set_credential(s->mqtt_password, sizeof s->mqtt_password, v, why);
}

static cb_status get_mqtt_password(const cb_settings *s, char *buf, size_t cap)
{
    return copy_text(buf, cap, s->mqtt_password);
}

static cb_status set_site(cb_settings *s, const char *v, const char **why)
{
    if (cb_id_check(v) != CB_OK) {
        return fail(why, "a site is 1-32 characters of a-z 0-9 _ -", CB_E_BAD_ID);
    }
    return copy_text(s->site, sizeof s->site, v);
}

static cb_status get_site(const cb_settings *s, char *buf, size_t cap)
{
    return copy_text(buf, cap, s->site);
}

/* One "GPIO=rest" item of a comma list: the GPIO and the span of rest. */
static bool split_item(const char *item, size_t len, uint32_t *gpio, const char **rest, size_t *rest_len)
{
    const char *eq = memchr(item, '=', len);
    if (eq == NULL || !parse_uint(item, (size_t)(eq - item), 0u, 99u, gpio)) {
        return false;
    }
    *rest = eq + 1;
    *rest_len = len - (size_t)(eq - item) - 1u;
    return true;
}

/* A table id from a span into out (CB_ID_SIZE). */
static bool table_from(const char *p, size_t len, char *out)
{
    if (len == 0u || len >= CB_ID_SIZE) {
        return false;
    }
    memcpy(out, p, len);
    out[len] = '\0';
    return cb_id_check(out) == CB_OK;
}

/* GPIO=TABLE:KIND,... */
static cb_status set_buttons(cb_settings *s, const char *v, const char **why)
{
    cb_settings_button parsed[CB_DEVICE_MAX_BUTTONS];
    uint8_t count = 0;
    const char *p = v;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        uint32_t gpio = 0;
        const char *rest = NULL;
        size_t rest_len = 0;
        if (count == CB_DEVICE_MAX_BUTTONS) {
            return fail(why, "at most 8 buttons", CB_E_RANGE);
        }
        if (!split_item(p, len, &gpio, &rest, &rest_len)) {
            return fail(why, "want GPIO=TABLE:KIND,... (e.g. 16=1:call,17=2:call)", CB_E_RANGE);
        }
        if (!usable_gpio(gpio)) {
            return fail(why, "a button GPIO is 0-22 or 26-28 (23-25 and 29 belong to the Wi-Fi chip)", CB_E_RANGE);
        }
        const char *colon = memchr(rest, ':', rest_len);
        cb_settings_button *b = &parsed[count];
        memset(b, 0, sizeof *b);
        b->gpio = (uint8_t)gpio;
        if (colon == NULL || !table_from(rest, (size_t)(colon - rest), b->button.table)) {
            return fail(why, "a table is 1-32 characters of a-z 0-9 _ -", CB_E_BAD_ID);
        }
        size_t kind_len = rest_len - (size_t)(colon - rest) - 1u;
        if (cb_kind_parse(colon + 1, kind_len, &b->button.kind) != CB_OK) {
            return fail(why, "a kind is call, bill, water or cancel", CB_E_BAD_KIND);
        }
        for (uint8_t i = 0; i < count; i++) {
            if (parsed[i].gpio == gpio) {
                return fail(why, "two buttons on one GPIO", CB_E_RANGE);
            }
        }
        count++;
        if (end == NULL) {
            break;
        }
        p = end + 1;
    }
    memset(s->buttons, 0, sizeof s->buttons);
    memcpy(s->buttons, parsed, sizeof parsed[0] * count);
    s->button_count = count;
    return CB_OK;
}

static cb_status get_buttons(const cb_settings *s, char *buf, size_t cap)
{
    size_t used = 0;
    if (cap < 1u) {
        return CB_E_BUFFER;
    }
    buf[0] = '\0';
    for (uint8_t i = 0; i < s->button_count; i++) {
        const char *kind = "call";
        (void)cb_kind_name(s->buttons[i].button.kind, &kind);
        if ((i > 0u && !put_text(buf, cap, &used, ",")) || !put_uint(buf, cap, &used, s->buttons[i].gpio) ||
            !put_text(buf, cap, &used, "=") || !put_text(buf, cap, &used, s->buttons[i].button.table) ||
            !put_text(buf, cap, &used, ":") || !put_text(buf, cap, &used, kind)) {
            return CB_E_BUFFER;
        }
    }
    return CB_OK;
}

static cb_status set_pull(cb_settings *s, const char *v, const char **why)
{
    if (strcmp(v, "down") != 0 && strcmp(v, "up") != 0) {
        return fail(why, "want down (button to 3V3, the seed) or up (button to GND)", CB_E_RANGE);
    }
    s->active_high = strcmp(v, "down") == 0;
    return CB_OK;
}

static cb_status get_pull(const cb_settings *s, char *buf, size_t cap)
{
    return copy_text(buf, cap, s->active_high ? "down" : "up");
}

/* GPIO=TABLE,... or empty */
static cb_status set_leds(cb_settings *s, const char *v, const char **why)
{
    cb_settings_led parsed[CB_SETTINGS_MAX_LEDS];
    uint8_t count = 0;
    const char *p = v;
    while (*v != '\0') {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        uint32_t gpio = 0;
        const char *rest = NULL;
        size_t rest_len = 0;
        if (count == CB_SETTINGS_MAX_LEDS) {
            return fail(why, "at most 8 LEDs", CB_E_RANGE);
        }
        if (!split_item(p, len, &gpio, &rest, &rest_len) || !usable_gpio(gpio)) {
            return fail(why, "want GPIO=TABLE,... (e.g. 20=1,21=2), GPIO 0-22 or 26-28, or empty", CB_E_RANGE);
        }
        memset(&parsed[count], 0, sizeof parsed[count]);
        parsed[count].gpio = (uint8_t)gpio;
        if (!table_from(rest, rest_len, parsed[count].table)) {
            return fail(why, "a table is 1-32 characters of a-z 0-9 _ -", CB_E_BAD_ID);
        }
        count++;
        if (end == NULL) {
            break;
        }
        p = end + 1;
    }
    memset(s->leds, 0, sizeof s->leds);
    memcpy(s->leds, parsed, sizeof parsed[0] * count);
    s->led_count = count;
    return CB_OK;
}

static cb_status get_leds(const cb_settings *s, char *buf, size_t cap)
{
    size_t used = 0;
    if (cap < 1u) {
        return CB_E_BUFFER;
    }
    buf[0] = '\0';
    for (uint8_t i = 0; i < s->led_count; i++) {
        if ((i > 0u && !put_text(buf, cap, &used, ",")) || !put_uint(buf, cap, &used, s->leds[i].gpio) ||
            !put_text(buf, cap, &used, "=") || !put_text(buf, cap, &used, s->leds[i].table)) {
            return CB_E_BUFFER;
        }
    }
    return CB_OK;
}

static cb_status set_power(cb_settings *s, const char *v, const char **why)
{
    size_t i = find_name(power_names, 2, v);
    if (i == 2u) {
        return fail(why, "want connected or sleepy", CB_E_RANGE);
    }
    s->power = (cb_power_mode)i;
    return CB_OK;
}

static cb_status get_power(const cb_settings *s, char *buf, size_t cap)
{
    return copy_text(buf, cap, power_names[s->power == CB_POWER_SLEEPY ? 1 : 0]);
}

static cb_status set_debounce(cb_settings *s, const char *v, const char **why)
{
    uint32_t ms = 0;
    if (!parse_uint(v, strlen(v), 1u, 1000u, &ms)) {
        return fail(why, "want 1 to 1000 (ms)", CB_E_RANGE);
    }
    s->debounce_ms = ms;
    return CB_OK;
}

static cb_status get_debounce(const cb_settings *s, char *buf, size_t cap)
{
    size_t used = 0;
    if (cap < 1u) {
        return CB_E_BUFFER;
    }
    buf[0] = '\0';
    return put_uint(buf, cap, &used, s->debounce_ms) ? CB_OK : CB_E_BUFFER;
}

static const key_def keys[] = {
    {"wifi_ssid", set_wifi_ssid, get_wifi_ssid, false},
    {"wifi_password", set_wifi_password, get_wifi_password, true},
    {"wifi_country", set_wifi_country, get_wifi_country, false},
    {"wifi_pm", set_wifi_pm, get_wifi_pm, false},
    {"broker", set_broker, get_broker, false},
    {"mqtt_user", set_mqtt_user, get_mqtt_user, false},
    {"mqtt_password", set_mqtt_password, get_mqtt_password, true},
    {"site", set_site, get_site, false},
    {"buttons", set_buttons, get_buttons, false},
    {"pull", set_pull, get_pull, false},
    {"leds", set_leds, get_leds, false},
    {"power", set_power, get_power, false},
    {"debounce_ms", set_debounce, get_debounce, false},
};
#define KEY_COUNT (sizeof keys / sizeof keys[0])

static const key_def *find_key(const char *name)
{
    for (size_t i = 0; i < KEY_COUNT; i++) {
        if (strcmp(keys[i].name, name) == 0) {
            return &keys[i];
        }
    }
    return NULL;
}

/* ---- public ---------------------------------------------------------------------- */

cb_status cb_settings_defaults(cb_settings *s)
{
    if (s == NULL) {
        return CB_E_ARG;
    }
    memset(s, 0, sizeof *s);
    (void)copy_text(s->broker, sizeof s->broker, "mqtt://192.168.1.2");
    (void)copy_text(s->site, sizeof s->site, "demo");
    for (uint8_t i = 0; i < 4u; i++) {
        s->buttons[i].gpio = (uint8_t)(16u + i);
        s->buttons[i].button.table[0] = (char)('1' + i);
        s->buttons[i].button.kind = CB_KIND_CALL;
    }
    s->button_count = 4;
    s->active_high = true;
    s->wifi_pm = CB_WIFI_PM_PERFORMANCE;
    s->power = CB_POWER_CONNECTED;
    s->debounce_ms = CB_DEBOUNCE_DEFAULT_MS;
    return CB_OK;
}

size_t cb_settings_key_count(void)
{
    return KEY_COUNT;
}

const char *cb_settings_key_name(size_t i)
{
    return i < KEY_COUNT ? keys[i].name : NULL;
}

cb_status cb_settings_set(cb_settings *s, const char *key, const char *value, const char **why)
{
    if (s == NULL || key == NULL || value == NULL) {
        return fail(why, "missing argument", CB_E_ARG);
    }
    const key_def *k = find_key(key);
    if (k == NULL) {
        return fail(why, "no such key", CB_E_MISSING);
    }
    cb_settings next = *s; /* a setter that fails half-way leaves *s as it was */
    cb_status st = k->set(&next, value, why);
    if (st == CB_OK) {
        *s = next;
    }
    return st;
}

cb_status cb_settings_get(const cb_settings *s, const char *key, bool show_secrets, char *buf, size_t cap)
{
    if (s == NULL || key == NULL || buf == NULL || cap == 0u) {
        return CB_E_ARG;
    }
    const key_def *k = find_key(key);
    if (k == NULL) {
        return CB_E_MISSING;
    }
    cb_status st = k->get(s, buf, cap);
    if (st == CB_OK && k->secret && !show_secrets && buf[0] != '\0') {
        st = copy_text(buf, cap, SECRET_SHOWN);
    }
    return st;
}

static bool has_button_table(const cb_settings *s, const char *table)
{
    for (uint8_t i = 0; i < s->button_count; i++) {
        if (strcmp(s->buttons[i].button.table, table) == 0) {
            return true;
        }
    }
    return false;
}

cb_status cb_settings_check(const cb_settings *s, const char **why)
{
    if (s == NULL) {
        return fail(why, "missing argument", CB_E_ARG);
    }
    if (s->button_count < 1u || s->button_count > CB_DEVICE_MAX_BUTTONS) {
        return fail(why, "buttons: want 1 to 8", CB_E_RANGE);
    }
    for (uint8_t l = 0; l < s->led_count; l++) {
        if (!has_button_table(s, s->leds[l].table)) {
            return fail(why, "leds: an LED for a table no button calls", CB_E_RANGE);
        }
        for (uint8_t b = 0; b < s->button_count; b++) {
            if (s->buttons[b].gpio == s->leds[l].gpio) {
                return fail(why, "leds: a GPIO already used by a button", CB_E_RANGE);
            }
        }
        for (uint8_t o = 0; o < l; o++) {
            if (s->leds[o].gpio == s->leds[l].gpio) {
                return fail(why, "leds: two LEDs on one GPIO", CB_E_RANGE);
            }
        }
    }
    return CB_OK;
}

cb_status cb_settings_broker(const cb_settings *s, char *host, size_t host_cap, uint16_t *port, bool *tls)
{
    if (s == NULL || host == NULL || host_cap == 0u || port == NULL || tls == NULL) {
        return CB_E_ARG;
    }
    const char *h = NULL;
    size_t n = 0;
    if (parse_broker(s->broker, &h, &n, port, tls) != CB_OK) {
        return CB_E_RANGE;
    }
    if (n >= host_cap) {
        return CB_E_BUFFER;
    }
    memcpy(host, h, n);
    host[n] = '\0';
    return CB_OK;
}

cb_status cb_settings_device_config(const cb_settings *s, cb_device_config *cfg)
{
    if (s == NULL || cfg == NULL) {
        return CB_E_ARG;
    }
    (void)copy_text(cfg->site, sizeof cfg->site, s->site);
    for (uint8_t i = 0; i < s->button_count && i < CB_DEVICE_MAX_BUTTONS; i++) {
        cfg->buttons[i] = s->buttons[i].button;
    }
    cfg->button_count = s->button_count;
    cfg->debounce_ms = s->debounce_ms;
    cfg->active_high = s->active_high;
    cfg->sleepy = s->power == CB_POWER_SLEEPY;
    return CB_OK;
}

/* ---- flash record ------------------------------------------------------------------ */

uint32_t cb_crc32(uint32_t crc, const void *data, size_t len)
{
    const uint8_t *p = data;
    crc = ~crc;
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        for (int bit = 0; bit < 8; bit++) {
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
        }
    }
    return ~crc;
}

static void put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put_u32(uint8_t *p, uint32_t v)
{
    put_u16(p, (uint16_t)v);
    put_u16(p + 2, (uint16_t)(v >> 16));
}

static uint16_t get_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)get_u16(p) | ((uint32_t)get_u16(p + 2) << 16);
}

static uint32_t record_crc(const uint8_t *rec, size_t text_len)
{
    uint32_t crc = cb_crc32(0, rec, 12);
    return cb_crc32(crc, rec + CB_SETTINGS_HEADER_SIZE, text_len);
}

cb_status cb_settings_encode(const cb_settings *s, uint32_t sequence, uint8_t *rec, size_t cap)
{
    if (s == NULL || rec == NULL || cap < CB_SETTINGS_RECORD_SIZE) {
        return CB_E_ARG;
    }
    memset(rec, 0xFF, CB_SETTINGS_RECORD_SIZE);
    char *text = (char *)rec + CB_SETTINGS_HEADER_SIZE;
    size_t used = 0;
    for (size_t i = 0; i < KEY_COUNT; i++) {
        char value[CB_SETTINGS_VALUE_MAX + 1];
        /* +2: '=' and '\n'; the text needs no NUL, but put_text writes one */
        if (keys[i].get(s, value, sizeof value) != CB_OK || !put_text(text, TEXT_MAX, &used, keys[i].name) ||
            !put_text(text, TEXT_MAX, &used, "=") || !put_text(text, TEXT_MAX, &used, value) ||
            !put_text(text, TEXT_MAX, &used, "\n")) {
            return CB_E_BUFFER;
        }
    }
    if (used < TEXT_MAX) {
        text[used] = (char)0xFF; /* put_text's NUL is not part of the record */
    }
    put_u32(rec, MAGIC);
    put_u16(rec + 4, CB_SETTINGS_VERSION);
    put_u16(rec + 6, (uint16_t)used);
    put_u32(rec + 8, sequence);
    put_u32(rec + 12, record_crc(rec, used));
    return CB_OK;
}

/* Applies the text's `key=value` lines to *s. Keys this version does not know are
 * skipped (a record written by an older build may carry one we dropped). */
static cb_status apply_text(cb_settings *s, const char *text, size_t len)
{
    size_t pos = 0;
    while (pos < len) {
        const char *line = text + pos;
        const char *nl = memchr(line, '\n', len - pos);
        if (nl == NULL) {
            return CB_E_RANGE; /* every line ends with '\n' */
        }
        size_t line_len = (size_t)(nl - line);
        pos += line_len + 1u;
        const char *eq = memchr(line, '=', line_len);
        char key[24];
        char value[CB_SETTINGS_VALUE_MAX + 1];
        size_t key_len = eq ? (size_t)(eq - line) : 0u;
        size_t value_len = eq ? line_len - key_len - 1u : 0u;
        if (eq == NULL || key_len == 0u || key_len >= sizeof key || value_len >= sizeof value ||
            memchr(line, '\0', line_len) != NULL) {
            return CB_E_RANGE;
        }
        memcpy(key, line, key_len);
        key[key_len] = '\0';
        memcpy(value, eq + 1, value_len);
        value[value_len] = '\0';
        cb_status st = cb_settings_set(s, key, value, NULL);
        if (st != CB_OK && st != CB_E_MISSING) {
            return st;
        }
    }
    return CB_OK;
}

cb_status cb_settings_decode(const uint8_t *rec, size_t len, const cb_settings *base, cb_settings *out,
                             uint32_t *sequence)
{
    if (rec == NULL || base == NULL || out == NULL || sequence == NULL) {
        return CB_E_ARG;
    }
    if (len < CB_SETTINGS_HEADER_SIZE || get_u32(rec) != MAGIC) {
        return CB_E_MISSING;
    }
    uint16_t version = get_u16(rec + 4);
    size_t text_len = get_u16(rec + 6);
    if (version == 0u) {
        return CB_E_RANGE;
    }
    if (version > CB_SETTINGS_VERSION) {
        return CB_E_VERSION;
    }
    if (text_len > TEXT_MAX || CB_SETTINGS_HEADER_SIZE + text_len > len ||
        record_crc(rec, text_len) != get_u32(rec + 12)) {
        return CB_E_RANGE;
    }
    cb_settings s = *base;
    cb_status st = apply_text(&s, (const char *)rec + CB_SETTINGS_HEADER_SIZE, text_len);
    if (st == CB_OK) {
        st = cb_settings_check(&s, NULL);
    }
    if (st != CB_OK) {
        return st;
    }
    *out = s;
    *sequence = get_u32(rec + 8);
    return CB_OK;
}

cb_status cb_settings_load(const uint8_t *slot0, const uint8_t *slot1, const cb_settings *defaults, cb_settings *out,
                           cb_settings_origin *origin)
{
    if (defaults == NULL || out == NULL || origin == NULL) {
        return CB_E_ARG;
    }
    cb_settings s[2];
    uint32_t seq[2] = {0, 0};
    bool ok[2];
    const uint8_t *slots[2] = {slot0, slot1};
    for (int i = 0; i < 2; i++) {
        ok[i] = slots[i] != NULL &&
                cb_settings_decode(slots[i], CB_SETTINGS_RECORD_SIZE, defaults, &s[i], &seq[i]) == CB_OK;
    }
    memset(origin, 0, sizeof *origin);
    if (!ok[0] && !ok[1]) {
        *out = *defaults;
        origin->other_invalid = true;
        return CB_OK;
    }
    /* Newer by serial-number arithmetic, so the sequence may wrap. */
    uint8_t pick = (!ok[0] || (ok[1] && (int32_t)(seq[1] - seq[0]) > 0)) ? 1u : 0u;
    *out = s[pick];
    origin->from_flash = true;
    origin->slot = pick;
    origin->sequence = seq[pick];
    origin->other_invalid = !ok[1u - pick];
    return CB_OK;
}

cb_status cb_settings_next_save(const cb_settings_origin *origin, uint8_t *slot, uint32_t *sequence)
{
    if (origin == NULL || slot == NULL || sequence == NULL) {
        return CB_E_ARG;
    }
    *slot = origin->from_flash ? (uint8_t)(1u - origin->slot) : 0u;
    *sequence = origin->sequence + 1u;
    return CB_OK;
}
