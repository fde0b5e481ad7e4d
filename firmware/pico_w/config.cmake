# config.cmake - build-time configuration of the callbell Pico W firmware.
#
# Every setting is a CMake cache variable (-DNAME=value). Like pico-examples, the
# Wi-Fi and MQTT secrets may also come from environment variables of the same name.
# Everything is checked here, at configure time, so a bad setting never becomes a
# device that silently does nothing. The result is callbell_config.h (and, with TLS,
# callbell_ca_cert.h) in the build directory. Note: the secrets end up in
# CMakeCache.txt and in those headers, as in every Pico W project.

macro(callbell_setting name default type doc)
    if(NOT DEFINED ${name} AND DEFINED ENV{${name}})
        set(${name} "$ENV{${name}}" CACHE ${type} "${doc}")
        message(STATUS "Using ${name} from the environment")
    endif()
    set(${name} "${default}" CACHE ${type} "${doc}")
endmacro()

callbell_setting(WIFI_SSID "" STRING "Wi-Fi network name (default; empty: set it after flashing)")
callbell_setting(WIFI_PASSWORD "" STRING "Wi-Fi password, WPA2 (empty: open network)")
callbell_setting(CALLBELL_BROKER "" STRING "MQTT broker host[:port] (default 192.168.1.2); DNS name or IPv4 literal")
callbell_setting(CALLBELL_SITE "demo" STRING "callbell site id, [a-z0-9_-]{1,32}")
callbell_setting(CALLBELL_MQTT_USERNAME "" STRING "MQTT user name (empty: none)")
callbell_setting(CALLBELL_MQTT_PASSWORD "" STRING "MQTT password (empty: none)")
callbell_setting(CALLBELL_CA_CERT "" FILEPATH "PEM CA certificate of the broker; set = TLS")
callbell_setting(CALLBELL_BUTTON_MAP "tables" STRING "tables: GP16-19 = one call button per table; kinds: GP16-19 = call/bill/water/cancel of one table")
callbell_setting(CALLBELL_TABLES "1,2,3,4" STRING "tables map: table ids of GP16, GP17, ... (1 to 4, comma-separated)")
callbell_setting(CALLBELL_TABLE "1" STRING "kinds map: the table id of this device")
callbell_setting(CALLBELL_BUTTON_PULL "down" STRING "down: external pull-downs, press = rising edge (seed); up: internal pull-ups, button to GND, press = falling edge")
callbell_setting(CALLBELL_TABLE_LED_GPIOS "" STRING "optional external LED GPIO per table, in table order (comma-separated, empty: none)")
callbell_setting(CALLBELL_WIFI_PM "performance" STRING "cyw43 power save: performance (PM2, default), aggressive (PM1), none")
callbell_setting(CALLBELL_WIFI_COUNTRY "" STRING "two-letter Wi-Fi country code, e.g. DE (empty: worldwide)")
callbell_setting(CALLBELL_LOW_BATTERY_MV "3400" STRING "VSYS below this (mV) sets low_battery in the info message")
callbell_setting(CALLBELL_POWER "connected" STRING "connected: always on; sleepy: battery table, sleeps between presses")
set_property(CACHE CALLBELL_BUTTON_MAP PROPERTY STRINGS tables kinds)
set_property(CACHE CALLBELL_BUTTON_PULL PROPERTY STRINGS down up)
set_property(CACHE CALLBELL_WIFI_PM PROPERTY STRINGS performance aggressive none)

# ---- no setting is required ------------------------------------------------------
# One image serves every table: what is not set here is set after flashing, over the
# USB serial console (`callbell device setup`), and kept in flash. These values are
# only the defaults a fresh board starts with.
if(WIFI_SSID STREQUAL "")
    message(STATUS "callbell: no WIFI_SSID: the device will wait to be set up over USB (callbell device setup)")
endif()
if(CALLBELL_BROKER STREQUAL "")
    set(CALLBELL_BROKER "192.168.1.2")
endif()
if(NOT CALLBELL_POWER MATCHES "^(connected|sleepy)$")
    message(FATAL_ERROR "callbell firmware: CALLBELL_POWER must be connected or sleepy, not '${CALLBELL_POWER}'")
endif()

# ---- checks ----------------------------------------------------------------------
function(callbell_fail text)
    message(FATAL_ERROR "callbell firmware: ${text}")
endfunction()

function(callbell_check_id name value)
    string(LENGTH "${value}" len)
    if(NOT value MATCHES "^[a-z0-9_-]+$" OR len GREATER 32)
        callbell_fail("${name} '${value}' is not a valid id: 1 to 32 characters of a-z 0-9 _ -")
    endif()
endfunction()

string(LENGTH "${WIFI_SSID}" len)
if(len GREATER 32)
    callbell_fail("WIFI_SSID is longer than 32 bytes")
endif()
string(LENGTH "${WIFI_PASSWORD}" len)
if(len GREATER 0 AND (len LESS 8 OR len GREATER 64))
    # A warning, not an error: the build itself is fine, the join will be refused.
    message(WARNING "callbell firmware: WIFI_PASSWORD has ${len} characters; a WPA2 passphrase has 8 to 63 "
                    "(64 for a hex key), so joining will fail. Leave it empty for an open network.")
endif()

if(NOT CALLBELL_BROKER MATCHES "^([A-Za-z0-9._-]+)(:([0-9]+))?$")
    callbell_fail("CALLBELL_BROKER '${CALLBELL_BROKER}' is not host[:port] (IPv4 literal or DNS name)")
endif()
set(CALLBELL_BROKER_HOST "${CMAKE_MATCH_1}")
set(CALLBELL_BROKER_PORT "${CMAKE_MATCH_3}")

if(NOT CALLBELL_CA_CERT STREQUAL "")
    if(NOT EXISTS "${CALLBELL_CA_CERT}")
        callbell_fail("CALLBELL_CA_CERT '${CALLBELL_CA_CERT}' does not exist")
    endif()
    file(READ "${CALLBELL_CA_CERT}" pem)
    if(NOT pem MATCHES "-----BEGIN CERTIFICATE-----")
        callbell_fail("CALLBELL_CA_CERT '${CALLBELL_CA_CERT}' is not a PEM certificate (no BEGIN CERTIFICATE line)")
    endif()
    set(CALLBELL_TLS 1)
    set(default_port 8883)
else()
    set(CALLBELL_TLS 0)
    set(default_port 1883)
endif()
if(CALLBELL_BROKER_PORT STREQUAL "")
    set(CALLBELL_BROKER_PORT ${default_port})
elseif(CALLBELL_BROKER_PORT LESS 1 OR CALLBELL_BROKER_PORT GREATER 65535)
    callbell_fail("CALLBELL_BROKER port ${CALLBELL_BROKER_PORT} is out of range")
endif()

if(NOT CALLBELL_MQTT_PASSWORD STREQUAL "" AND CALLBELL_MQTT_USERNAME STREQUAL "")
    callbell_fail("CALLBELL_MQTT_PASSWORD is set but CALLBELL_MQTT_USERNAME is not")
endif()

callbell_check_id(CALLBELL_SITE "${CALLBELL_SITE}")

# Buttons: GP16..GP19, as on the seed's breadboard.
set(button_gpios 16 17 18 19)
if(CALLBELL_BUTTON_MAP STREQUAL "tables")
    string(REPLACE "," ";" tables "${CALLBELL_TABLES}")
    list(LENGTH tables count)
    if(count LESS 1 OR count GREATER 4)
        callbell_fail("CALLBELL_TABLES needs 1 to 4 table ids (one per button GP16..GP19), got '${CALLBELL_TABLES}'")
    endif()
    foreach(table IN LISTS tables)
        callbell_check_id(CALLBELL_TABLES "${table}")
        list(POP_FRONT button_gpios gpio)
        list(APPEND button_items "${gpio}=${table}:call")
    endforeach()
elseif(CALLBELL_BUTTON_MAP STREQUAL "kinds")
    callbell_check_id(CALLBELL_TABLE "${CALLBELL_TABLE}")
    set(tables "${CALLBELL_TABLE}")
    set(button_items "16=${CALLBELL_TABLE}:call" "17=${CALLBELL_TABLE}:bill" "18=${CALLBELL_TABLE}:water"
        "19=${CALLBELL_TABLE}:cancel")
else()
    callbell_fail("CALLBELL_BUTTON_MAP must be 'tables' or 'kinds', not '${CALLBELL_BUTTON_MAP}'")
endif()
list(JOIN tables "," tables_joined)
string(LENGTH "${tables_joined}" len)
if(len GREATER 64)
    callbell_fail("the table ids joined by commas must fit in 64 bytes (info message), got ${len}")
endif()

if(CALLBELL_BUTTON_PULL STREQUAL "down")
    set(CALLBELL_ACTIVE_HIGH 1)
elseif(CALLBELL_BUTTON_PULL STREQUAL "up")
    set(CALLBELL_ACTIVE_HIGH 0)
else()
    callbell_fail("CALLBELL_BUTTON_PULL must be 'down' or 'up', not '${CALLBELL_BUTTON_PULL}'")
endif()

# External LEDs: GP0..GP22, GP26..GP28 (GP23-25 and GP29 belong to the Wi-Fi chip),
# not a button pin, one per table.
set(CALLBELL_TABLE_LED_COUNT 0)
if(NOT CALLBELL_TABLE_LED_GPIOS STREQUAL "")
    string(REPLACE "," ";" leds "${CALLBELL_TABLE_LED_GPIOS}")
    list(LENGTH leds CALLBELL_TABLE_LED_COUNT)
    list(LENGTH tables table_count)
    if(NOT CALLBELL_TABLE_LED_COUNT EQUAL table_count)
        callbell_fail("CALLBELL_TABLE_LED_GPIOS has ${CALLBELL_TABLE_LED_COUNT} GPIOs for ${table_count} table(s)")
    endif()
    foreach(gpio table IN ZIP_LISTS leds tables)
        if(NOT gpio MATCHES "^[0-9]+$" OR gpio GREATER 28 OR (gpio GREATER 22 AND gpio LESS 26)
           OR (gpio GREATER 15 AND gpio LESS 20))
            callbell_fail("CALLBELL_TABLE_LED_GPIOS: GP${gpio} cannot drive an LED (use GP0-15, GP20-22, GP26-28)")
        endif()
        list(APPEND led_items "${gpio}=${table}")
    endforeach()
endif()

if(CALLBELL_WIFI_PM STREQUAL "performance")
    set(CALLBELL_WIFI_PM_VALUE CYW43_PERFORMANCE_PM)
elseif(CALLBELL_WIFI_PM STREQUAL "aggressive")
    set(CALLBELL_WIFI_PM_VALUE CYW43_AGGRESSIVE_PM)
elseif(CALLBELL_WIFI_PM STREQUAL "none")
    set(CALLBELL_WIFI_PM_VALUE CYW43_NONE_PM)
else()
    callbell_fail("CALLBELL_WIFI_PM must be performance, aggressive or none, not '${CALLBELL_WIFI_PM}'")
endif()

if(CALLBELL_WIFI_COUNTRY STREQUAL "")
    set(CALLBELL_WIFI_COUNTRY_VALUE CYW43_COUNTRY_WORLDWIDE)
elseif(CALLBELL_WIFI_COUNTRY MATCHES "^([A-Z])([A-Z])$")
    set(CALLBELL_WIFI_COUNTRY_VALUE "CYW43_COUNTRY('${CMAKE_MATCH_1}', '${CMAKE_MATCH_2}', 0)")
else()
    callbell_fail("CALLBELL_WIFI_COUNTRY must be two capital letters (e.g. DE) or empty")
endif()

if(NOT CALLBELL_LOW_BATTERY_MV MATCHES "^[0-9]+$" OR CALLBELL_LOW_BATTERY_MV GREATER 10000)
    callbell_fail("CALLBELL_LOW_BATTERY_MV must be 0..10000")
endif()

# ---- generated headers ----------------------------------------------------------
function(callbell_c_string out value)
    string(REPLACE "\\" "\\\\" value "${value}")
    string(REPLACE "\"" "\\\"" value "${value}")
    set(${out} "\"${value}\"" PARENT_SCOPE)
endfunction()

callbell_c_string(CALLBELL_FW_VERSION_C "${CALLBELL_FW_VERSION}")

# The defaults as the settings' text form (lib/include/callbell/settings.h): the
# firmware applies them over the core's defaults at boot, before what flash holds.
if(CALLBELL_TLS)
    set(scheme mqtts)
else()
    set(scheme mqtt)
endif()
list(JOIN button_items "," buttons_text)
list(JOIN led_items "," leds_text)
set(defaults_text "")
foreach(pair
        "wifi_ssid=${WIFI_SSID}" "wifi_password=${WIFI_PASSWORD}" "wifi_country=${CALLBELL_WIFI_COUNTRY}"
        "wifi_pm=${CALLBELL_WIFI_PM}" "broker=${scheme}://${CALLBELL_BROKER_HOST}:${CALLBELL_BROKER_PORT}"
        "mqtt_user=${CALLBELL_MQTT_USERNAME}" "mqtt_password=${CALLBELL_MQTT_PASSWORD}" "site=${CALLBELL_SITE}"
        "buttons=${buttons_text}" "pull=${CALLBELL_BUTTON_PULL}" "leds=${leds_text}" "power=${CALLBELL_POWER}")
    string(APPEND defaults_text "${pair}\n")
endforeach()
callbell_c_string(CALLBELL_DEFAULT_SETTINGS_C "${defaults_text}")
string(REPLACE "\n" "\\n" CALLBELL_DEFAULT_SETTINGS_C "${CALLBELL_DEFAULT_SETTINGS_C}")

set(CALLBELL_GENERATED_DIR "${CMAKE_CURRENT_BINARY_DIR}/generated")
configure_file("${CMAKE_CURRENT_LIST_DIR}/config.h.in" "${CALLBELL_GENERATED_DIR}/callbell_config.h" @ONLY)

if(CALLBELL_TLS)
    # The PEM text as a C string; mbedtls wants the terminating NUL counted in its length.
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${CALLBELL_CA_CERT}")
    file(STRINGS "${CALLBELL_CA_CERT}" pem_lines)
    set(pem_c "")
    foreach(line IN LISTS pem_lines)
        string(REPLACE "\r" "" line "${line}")
        string(APPEND pem_c "    \"${line}\\n\" \\\n")
    endforeach()
    file(WRITE "${CALLBELL_GENERATED_DIR}/callbell_ca_cert.h.tmp"
        "/* Generated from ${CALLBELL_CA_CERT} by config.cmake. */\n"
        "#define CALLBELL_CA_CERT_PEM \\\n${pem_c}    \"\"\n")
    configure_file("${CALLBELL_GENERATED_DIR}/callbell_ca_cert.h.tmp" "${CALLBELL_GENERATED_DIR}/callbell_ca_cert.h" COPYONLY)
endif()

message(STATUS "callbell: broker ${CALLBELL_BROKER_HOST}:${CALLBELL_BROKER_PORT} (TLS ${CALLBELL_TLS}), site ${CALLBELL_SITE}, "
               "buttons '${CALLBELL_BUTTON_MAP}' map, pull-${CALLBELL_BUTTON_PULL}, Wi-Fi PM ${CALLBELL_WIFI_PM}")
