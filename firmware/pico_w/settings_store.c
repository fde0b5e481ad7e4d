/* settings_store.c - see settings_store.h.
 *
 * Flash cannot be read (XIP) while it is erased or programmed, so the write runs
 * through flash_safe_execute: interrupts off on this core (the cyw43 driver's
 * background work waits) and the other core, if it ran, parked. */
#include "settings_store.h"

#include <string.h>

#include "callbell_config.h"
#include "hardware/flash.h"
#include "log.h"
#include "pico/flash.h"

#define STORE_OFFSET (PICO_FLASH_SIZE_BYTES - 2u * FLASH_SECTOR_SIZE)
#define FLASH_TIMEOUT_MS 100

_Static_assert(CB_SETTINGS_RECORD_SIZE <= FLASH_SECTOR_SIZE, "a record fits a sector");
_Static_assert(CB_SETTINGS_RECORD_SIZE % FLASH_PAGE_SIZE == 0, "a record is whole pages");

static uint8_t record[CB_SETTINGS_RECORD_SIZE];

static const uint8_t *copy_in_flash(uint8_t slot)
{
    return (const uint8_t *)(XIP_BASE + STORE_OFFSET + slot * FLASH_SECTOR_SIZE);
}

bool settings_store_defaults(cb_settings *out)
{
    cb_settings_defaults(out);
    /* The build's `key=value\n` text, applied line by line. */
    static const char text[] = CALLBELL_DEFAULT_SETTINGS;
    const char *p = text;
    while (*p != '\0') {
        const char *nl = strchr(p, '\n');
        const char *eq = strchr(p, '=');
        if (nl == NULL || eq == NULL || eq > nl) {
            return false;
        }
        char key[24], value[CB_SETTINGS_VALUE_MAX + 1];
        size_t key_len = (size_t)(eq - p), value_len = (size_t)(nl - eq - 1);
        if (key_len >= sizeof key || value_len >= sizeof value) {
            return false;
        }
        memcpy(key, p, key_len);
        key[key_len] = '\0';
        memcpy(value, eq + 1, value_len);
        value[value_len] = '\0';
        const char *why = "";
        if (cb_settings_set(out, key, value, &why) != CB_OK) {
            log_printf("settings: build default %s=%s refused: %s", key, value, why);
            return false;
        }
        p = nl + 1;
    }
    return true;
}

void settings_store_load(const cb_settings *defaults, cb_settings *out, cb_settings_origin *origin)
{
    cb_settings_load(copy_in_flash(0), copy_in_flash(1), defaults, out, origin);
    if (origin->from_flash) {
        log_printf("settings: from flash, copy %u, sequence %lu%s", origin->slot, (unsigned long)origin->sequence,
                   origin->other_invalid ? " (the other copy is empty or damaged)" : "");
    } else {
        log_printf("settings: none in flash, the build's defaults");
    }
}

typedef struct write_job {
    uint32_t offset;
} write_job;

static void write_copy(void *param)
{
    const write_job *job = param;
    flash_range_erase(job->offset, FLASH_SECTOR_SIZE);
    flash_range_program(job->offset, record, sizeof record);
}

bool settings_store_save(const cb_settings *s, cb_settings_origin *origin, const char **why)
{
    uint8_t slot = 0;
    uint32_t sequence = 0;
    cb_settings_next_save(origin, &slot, &sequence);
    if (cb_settings_encode(s, sequence, record, sizeof record) != CB_OK) {
        *why = "settings do not fit a record";
        return false;
    }
    write_job job = {.offset = STORE_OFFSET + slot * FLASH_SECTOR_SIZE};
    int rc = flash_safe_execute(write_copy, &job, FLASH_TIMEOUT_MS);
    if (rc != PICO_OK) {
        *why = "flash write failed";
        return false;
    }
    if (memcmp(copy_in_flash(slot), record, sizeof record) != 0) {
        *why = "flash reads back different";
        return false;
    }
    origin->from_flash = true;
    origin->slot = slot;
    origin->sequence = sequence;
    log_printf("settings: saved to copy %u, sequence %lu", slot, (unsigned long)sequence);
    return true;
}
