// Default options of the sanitizer runtimes, compiled into every executable of a sanitizer
// build (FUNNELSIM_SANITIZE), so that ctest, a manual run and the funnelsim a test starts all
// behave alike: stop at the first report (a report is a failure, never noise to scroll past),
// and for ThreadSanitizer read tsan.supp. Options set in the environment still win.

extern "C" {

const char* __asan_default_options() {
  // detect_leaks: funnelsim allocates per run and per thread; a leak there is a bug.
  return "halt_on_error=1:detect_leaks=1:check_initialization_order=1:strict_init_order=1";
}

const char* __ubsan_default_options() { return "halt_on_error=1:print_stacktrace=1"; }

const char* __tsan_default_options() {
  return "halt_on_error=1:second_deadlock_stack=1:suppressions=" FUNNELSIM_TSAN_SUPPRESSIONS;
}

}  // extern "C"
