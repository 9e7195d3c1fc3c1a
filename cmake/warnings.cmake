# accessplan_set_warnings(target): the warning set every accessplan target builds with.
function(accessplan_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion)
  if(ACCESSPLAN_SANITIZE OR ACCESSPLAN_FUZZ)
    # -fno-sanitize-recover: an undefined-behaviour report stops the program (GCC's default prints and goes on, and
    # the test would pass). float-cast-overflow (a NaN or huge value cast to an integer) is not in GCC's "undefined".
    set(sanitizers -fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=undefined,float-cast-overflow)
    target_compile_options(${target} PRIVATE ${sanitizers} -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE ${sanitizers})
  endif()
  if(ACCESSPLAN_FUZZ)  # coverage feedback for libFuzzer in every library, not only in the fuzz targets
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link)
  endif()
endfunction()
