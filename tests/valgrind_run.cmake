# Runs a command under valgrind (cmake -D VALGRIND=... -D RUMBO=... -D OUT=... -P this)
# and passes only if it exited 0 AND valgrind printed its own clean error summary: a
# run that left valgrind (rumbo re-executing itself, sim/self.h) prints no summary,
# and a run that failed early (a scenario no longer valid) exits non-zero.
# VALGRIND_OPTS is cleared so that a user's -q cannot hide the summary.
set(ENV{VALGRIND_OPTS} "")
execute_process(
  COMMAND ${VALGRIND} --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
          --show-leak-kinds=definite ${RUMBO} run tests/scenarios/tiny.yaml --days 5
          --threads 2 --quiet -o ${OUT}
  RESULT_VARIABLE rc
  OUTPUT_VARIABLE out
  ERROR_VARIABLE err)
message("${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "valgrind_run: exit code ${rc} (99: valgrind found errors)")
endif()
if(NOT err MATCHES "ERROR SUMMARY: 0 errors from 0 contexts")
  message(FATAL_ERROR "valgrind_run: no clean valgrind summary: the run was not checked")
endif()
