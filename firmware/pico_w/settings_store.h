/* settings_store.h - the device's settings in flash: two copies in the last two
 * 4 KiB sectors, the core's record format (callbell/settings.h).
 *
 * Load at boot over the build's defaults; save writes the copy not loaded (erase,
 * program, read back), so a power cut in the middle leaves the other copy. */
#ifndef CALLBELL_PICO_SETTINGS_STORE_H
#define CALLBELL_PICO_SETTINGS_STORE_H

#include <stdbool.h>

#include "callbell/settings.h"

/* The build's defaults (callbell_config.h) over the core's; false if the build's
 * text is refused (config.cmake checks it, so only a bug gets here). */
bool settings_store_defaults(cb_settings *out);

/* *out from flash over defaults (or the defaults, if neither copy is valid). */
void settings_store_load(const cb_settings *defaults, cb_settings *out, cb_settings_origin *origin);

/* Writes s to the other copy and updates *origin. false with *why on failure. */
bool settings_store_save(const cb_settings *s, cb_settings_origin *origin, const char **why);

#endif
