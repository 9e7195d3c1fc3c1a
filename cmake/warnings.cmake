# accessplan_set_warnings(target): the warning set every accessplan target builds with.
function(accessplan_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion)
  if(ACCESSPLAN_SANITIZE OR ACCESSPLAN_FUZZ)
    # -fno-sanitize-recover: an undefined-behaviour report stops the program (GCC's default prints and goes on, and
    # the test would pass).
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-sanitize-recover=undefined
                           -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined -fno-sanitize-recover=undefined)
  endif()
  if(ACCESSPLAN_FUZZ)  # coverage feedback for libFuzzer in every library, not only in the fuzz targets
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link)
  endif()
endfunction()
