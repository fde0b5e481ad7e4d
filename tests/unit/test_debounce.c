/* test_debounce.c - raw button levels to presses: glitches are nothing, a bouncing
 * press is one.
 *
 * Traces are in microseconds, as a scope shows them; the firmware's interrupt stamps
 * each edge with to_ms_since_boot() and its main loop reads every pin each 10 ms,
 * and run_trace() does exactly that. The bounce shapes follow published scope
 * captures of real switches (J. Ganssle, "A Guide to Debouncing": bounces averaged
 * 1.6 ms, the worst of his set 6.2 ms, and some contacts glitch on release). */
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "callbell/debounce.h"

#define LOOP_US 10000u /* the firmware's main loop period */

typedef struct edge {
    uint32_t t_us;
    bool high;
} edge;

typedef struct trace_result {
    int presses;
    uint32_t first_pressed_ms;
} trace_result;

/* The level of a trace at t_us (low before its first edge). */
static bool level_at(const edge *tr, size_t n, uint32_t t_us)
{
    bool high = false;
    for (size_t i = 0; i < n && tr[i].t_us <= t_us; i++) {
        high = tr[i].high;
    }
    return high;
}

/* Plays a trace through the debouncer as the firmware does: every loop tick, the
 * edges the interrupt recorded since the last tick (unless it missed them all), then
 * a read of the pin. Runs until end_us. */
static trace_result run_trace(uint32_t quiet_ms, const edge *tr, size_t n, uint32_t end_us, bool irq_sees_edges)
{
    cb_debounce d;
    assert_int_equal(cb_debounce_init(&d, quiet_ms, true), CB_OK);
    trace_result r = {0, 0};
    size_t next = 0;
    for (uint32_t now = 0; now <= end_us; now += LOOP_US) {
        cb_debounce_result out;
        for (; next < n && tr[next].t_us <= now; next++) {
            if (irq_sees_edges) {
                assert_int_equal(cb_debounce_edge(&d, tr[next].high, tr[next].t_us / 1000u, &out), CB_OK);
                if (out.pressed && r.presses++ == 0) {
                    r.first_pressed_ms = out.pressed_ms;
                }
            }
        }
        assert_int_equal(cb_debounce_sample(&d, level_at(tr, n, now), now / 1000u, &out), CB_OK);
        if (out.pressed && r.presses++ == 0) {
            r.first_pressed_ms = out.pressed_ms;
        }
    }
    return r;
}

#define RUN(tr, end_us) run_trace(CB_DEBOUNCE_DEFAULT_MS, tr, sizeof tr / sizeof tr[0], end_us, true)

static void test_init(void **state)
{
    (void)state;
    cb_debounce d;
    assert_int_equal(cb_debounce_init(&d, 30, true), CB_OK);
    assert_int_equal(d.quiet_ms, 30);
    assert_false(cb_debounce_busy(&d));
    assert_int_equal(cb_debounce_init(&d, 1, false), CB_OK);
    assert_int_equal(cb_debounce_init(&d, 1000, false), CB_OK);
    assert_int_equal(cb_debounce_init(&d, 0, true), CB_E_ARG);
    assert_int_equal(cb_debounce_init(&d, 1001, true), CB_E_ARG);
    assert_int_equal(cb_debounce_init(NULL, 30, true), CB_E_ARG);
}

/* The case: a 20 us pulse on GP17 queued a call. Inside one ms, across a ms
 * boundary, and with a loop tick landing on it. */
static void test_20us_glitch_is_nothing(void **state)
{
    (void)state;
    const edge inside[] = {{1000100, true}, {1000120, false}};
    const edge across[] = {{1999990, true}, {2000010, false}};
    const edge on_tick[] = {{2999990, true}, {3000010, false}}; /* the 3000 ms read sees it high */
    assert_int_equal(RUN(inside, 4000000).presses, 0);
    assert_int_equal(RUN(across, 4000000).presses, 0);
    assert_int_equal(RUN(on_tick, 4000000).presses, 0);
    /* Missed by the interrupt but caught by a read: still nothing. */
    assert_int_equal(run_trace(30, on_tick, 2, 4000000, false).presses, 0);
}

static void test_1ms_and_5ms_pulses_are_nothing(void **state)
{
    (void)state;
    const edge one_ms[] = {{1000500, true}, {1001500, false}};
    const edge five_ms[] = {{1000000, true}, {1005000, false}};
    const edge five_ms_read[] = {{1998000, true}, {2003000, false}}; /* read at 2000 sees it */
    const edge twenty_nine_ms[] = {{1000000, true}, {1029000, false}};
    assert_int_equal(RUN(one_ms, 3000000).presses, 0);
    assert_int_equal(RUN(five_ms, 3000000).presses, 0);
    assert_int_equal(RUN(five_ms_read, 3000000).presses, 0);
    assert_int_equal(RUN(twenty_nine_ms, 3000000).presses, 0);
}

/* A burst of pulses (a motor starting next to the wire): none held, nothing. */
static void test_glitch_burst_is_nothing(void **state)
{
    (void)state;
    edge burst[40];
    for (uint32_t i = 0; i < 20; i++) {
        burst[2 * i] = (edge){1000000 + i * 3000, true};
        burst[2 * i + 1] = (edge){1000000 + i * 3000 + 50, false};
    }
    assert_int_equal(RUN(burst, 3000000).presses, 0);
}

static void test_held_press_counts_once(void **state)
{
    (void)state;
    const edge clean[] = {{1000000, true}, {1150000, false}};
    trace_result r = RUN(clean, 3000000);
    assert_int_equal(r.presses, 1);
    assert_int_equal(r.first_pressed_ms, 1000);
    /* Held just past the quiet time. */
    const edge short_hold[] = {{1000000, true}, {1045000, false}};
    assert_int_equal(RUN(short_hold, 3000000).presses, 1);
}

/* Bounce on closing (1.6 ms, like Ganssle's average), a held press, bounce on opening. */
static void test_bounce_trace_typical(void **state)
{
    (void)state;
    const edge tr[] = {
        {1000000, true},  {1000180, false}, {1000300, true},  {1000650, false}, {1000700, true},
        {1001100, false}, {1001150, true},  {1001550, false}, {1001600, true}, /* held */
        {1180000, false}, {1180090, true},  {1180400, false}, {1180420, true},  {1180900, false},
    };
    trace_result r = RUN(tr, 3000000);
    assert_int_equal(r.presses, 1);
    assert_int_equal(r.first_pressed_ms, 1000); /* the first touch, not the settled contact */
}

/* The worst of the set: 6.2 ms of bounce, with gaps of a few ms, then a short press. */
static void test_bounce_trace_worst(void **state)
{
    (void)state;
    const edge tr[] = {
        {500000, true},  {500900, false}, {502400, true},  {502600, false}, {504100, true},
        {504150, false}, {506000, true},  {506100, false}, {506200, true}, /* held 90 ms */
        {596200, false}, {597000, true},  {597300, false}, {601500, true},  {601600, false},
    };
    assert_int_equal(RUN(tr, 2000000).presses, 1);
}

/* A glitch low while the button is held is not a release and a second press. */
static void test_glitch_during_hold(void **state)
{
    (void)state;
    const edge tr[] = {
        {1000000, true}, {1100000, false}, {1100020, true}, {1150000, false}, {1150005, true}, {1400000, false},
    };
    assert_int_equal(RUN(tr, 3000000).presses, 1);
}

/* Presses quickly one after the other: each counts once it is held and released. */
static void test_repeated_presses(void **state)
{
    (void)state;
    edge tr[20];
    for (uint32_t i = 0; i < 10; i++) {
        tr[2 * i] = (edge){1000000 + i * 200000, true};
        tr[2 * i + 1] = (edge){1000000 + i * 200000 + 80000, false};
    }
    assert_int_equal(RUN(tr, 4000000).presses, 10);
}

/* Interrupts on rising edges only (every edge reported as high): the reads tell a
 * glitch from a press. */
static void test_rising_only_interrupts(void **state)
{
    (void)state;
    cb_debounce d;
    cb_debounce_result out;
    assert_int_equal(cb_debounce_init(&d, 30, true), CB_OK);
    assert_int_equal(cb_debounce_edge(&d, true, 100, &out), CB_OK); /* a glitch */
    assert_true(cb_debounce_busy(&d));
    assert_int_equal(cb_debounce_sample(&d, false, 105, &out), CB_OK); /* gone at the read */
    assert_false(out.pressed);
    assert_int_equal(cb_debounce_poll(&d, 200, &out), CB_OK);
    assert_false(out.pressed);
    assert_false(cb_debounce_busy(&d));
    assert_int_equal(cb_debounce_edge(&d, true, 300, &out), CB_OK); /* a press */
    assert_int_equal(cb_debounce_edge(&d, true, 302, &out), CB_OK); /* a bounce */
    assert_int_equal(cb_debounce_sample(&d, true, 310, &out), CB_OK);
    assert_false(out.pressed);
    assert_int_equal(cb_debounce_poll(&d, 331, &out), CB_OK);
    assert_false(out.pressed); /* 29 ms after the last edge */
    assert_int_equal(cb_debounce_poll(&d, 332, &out), CB_OK);
    assert_true(out.pressed);
    assert_int_equal(out.pressed_ms, 300);
    assert_int_equal(cb_debounce_poll(&d, 400, &out), CB_OK);
    assert_false(out.pressed); /* once */
}

static void test_active_low(void **state)
{
    (void)state;
    cb_debounce d;
    cb_debounce_result out;
    assert_int_equal(cb_debounce_init(&d, 30, false), CB_OK);
    assert_int_equal(cb_debounce_sample(&d, true, 0, &out), CB_OK); /* idle high: not pressed */
    assert_false(cb_debounce_busy(&d));
    assert_int_equal(cb_debounce_edge(&d, false, 100, &out), CB_OK);
    assert_int_equal(cb_debounce_edge(&d, true, 180, &out), CB_OK); /* the release settles the press */
    assert_true(out.pressed);
    assert_int_equal(out.pressed_ms, 100);
    assert_int_equal(cb_debounce_poll(&d, 300, &out), CB_OK);
    assert_false(out.pressed);
}

static void test_wraparound(void **state)
{
    (void)state;
    cb_debounce d;
    cb_debounce_result out;
    assert_int_equal(cb_debounce_init(&d, 30, true), CB_OK);
    assert_int_equal(cb_debounce_edge(&d, true, UINT32_MAX - 10, &out), CB_OK);
    assert_int_equal(cb_debounce_poll(&d, 5, &out), CB_OK); /* 16 ms later, across the wrap */
    assert_false(out.pressed);
    assert_int_equal(cb_debounce_poll(&d, 20, &out), CB_OK); /* 31 ms */
    assert_true(out.pressed);
    assert_int_equal(out.pressed_ms, UINT32_MAX - 10);
}

/* An edge popped from the ring after a read already saw the change is older than
 * the read: it must not look 49 days old (and settle at once). */
static void test_edge_older_than_sample(void **state)
{
    (void)state;
    cb_debounce d;
    cb_debounce_result out;
    assert_int_equal(cb_debounce_init(&d, 30, true), CB_OK);
    assert_int_equal(cb_debounce_sample(&d, true, 1000, &out), CB_OK);
    assert_int_equal(cb_debounce_edge(&d, true, 999, &out), CB_OK);
    assert_false(out.pressed);
    assert_int_equal(cb_debounce_edge(&d, false, 1000, &out), CB_OK);
    assert_false(out.pressed);
    assert_int_equal(cb_debounce_poll(&d, 1100, &out), CB_OK);
    assert_false(out.pressed);
}

static void test_args(void **state)
{
    (void)state;
    cb_debounce d;
    cb_debounce_result out;
    assert_int_equal(cb_debounce_init(&d, 30, true), CB_OK);
    assert_int_equal(cb_debounce_edge(NULL, true, 0, &out), CB_E_ARG);
    assert_int_equal(cb_debounce_edge(&d, true, 0, NULL), CB_E_ARG);
    assert_int_equal(cb_debounce_sample(NULL, true, 0, &out), CB_E_ARG);
    assert_int_equal(cb_debounce_sample(&d, true, 0, NULL), CB_E_ARG);
    assert_int_equal(cb_debounce_poll(NULL, 0, &out), CB_E_ARG);
    assert_int_equal(cb_debounce_poll(&d, 0, NULL), CB_E_ARG);
    assert_false(cb_debounce_busy(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init),
        cmocka_unit_test(test_20us_glitch_is_nothing),
        cmocka_unit_test(test_1ms_and_5ms_pulses_are_nothing),
        cmocka_unit_test(test_glitch_burst_is_nothing),
        cmocka_unit_test(test_held_press_counts_once),
        cmocka_unit_test(test_bounce_trace_typical),
        cmocka_unit_test(test_bounce_trace_worst),
        cmocka_unit_test(test_glitch_during_hold),
        cmocka_unit_test(test_repeated_presses),
        cmocka_unit_test(test_rising_only_interrupts),
        cmocka_unit_test(test_active_low),
        cmocka_unit_test(test_wraparound),
        cmocka_unit_test(test_edge_older_than_sample),
        cmocka_unit_test(test_args),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
