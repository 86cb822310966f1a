# Stages the shared libraries under their SONAMEs (what DT_NEEDED asks for) into PUNA_STAGE_DIR, with an
# index the Java loader reads. Maven points PUNA_STAGE_DIR at the native module's classes directory, so the
# libraries travel inside puna-native.jar as resources.
set(PUNA_STAGE_DIR "" CACHE PATH "Where to stage the shared libraries for packaging (empty: skip)")
if(PUNA_STAGE_DIR)
  # Dependency order: each library only needs those listed before it.
  set(_libs)
  foreach(candidate ggml-base ggml-cpu ggml-blas ggml-cuda ggml-metal ggml-rpc ggml llama mtmd)
    if(TARGET ${candidate})
      list(APPEND _libs ${candidate})
    endif()
  endforeach()
  set(_cmds)
  set(_index "")
  foreach(lib IN LISTS _libs)
    list(APPEND _cmds COMMAND ${CMAKE_COMMAND} -E copy_if_different "$<TARGET_FILE:${lib}>" "${PUNA_STAGE_DIR}/$<TARGET_SONAME_FILE_NAME:${lib}>")
    string(APPEND _index "$<TARGET_SONAME_FILE_NAME:${lib}>\n")
  endforeach()
  file(GENERATE OUTPUT "${CMAKE_BINARY_DIR}/puna-libs.index" CONTENT "${_index}")
  file(GENERATE OUTPUT "${CMAKE_BINARY_DIR}/puna-tools.index" CONTENT "rpc-server\n")
  add_custom_target(puna_stage ALL
    COMMAND ${CMAKE_COMMAND} -E make_directory "${PUNA_STAGE_DIR}"
    ${_cmds}
    COMMAND ${CMAKE_COMMAND} -E copy_if_different "${CMAKE_BINARY_DIR}/puna-libs.index" "${PUNA_STAGE_DIR}/libs.index"
    # llama.cpp's RPC worker travels with the libraries it links (its run path is $ORIGIN); `puna rpc-server`
    # runs the extracted copy. tools.index names the executables, which the loader extracts but never dlopens.
    COMMAND ${CMAKE_COMMAND} -E copy_if_different "$<TARGET_FILE:rpc-server>" "${PUNA_STAGE_DIR}/rpc-server"
    COMMAND ${CMAKE_COMMAND} -E copy_if_different "${CMAKE_BINARY_DIR}/puna-tools.index" "${PUNA_STAGE_DIR}/tools.index"
    DEPENDS puna_native
    COMMENT "puna: staging native libraries into ${PUNA_STAGE_DIR}")
endif()
