# Configure + build of the native tree, run by Maven (native/pom.xml) as `cmake -P`, so the parallelism can
# follow the machine (ProcessorCount) and one Maven command builds everything.
# Inputs (-D): SOURCE_DIR, BUILD_DIR, STAGE_DIR, BACKEND, PORTABLE, CUDA_ARCHITECTURES, [CUBLAS_DIR], [BUILD_TOOLS],
# [JOBS]
foreach(v SOURCE_DIR BUILD_DIR STAGE_DIR BACKEND)
  if(NOT DEFINED ${v} OR "${${v}}" STREQUAL "")
    message(FATAL_ERROR "build-native.cmake: ${v} is required")
  endif()
endforeach()
if(NOT DEFINED PORTABLE)
  set(PORTABLE OFF)
endif()
if(NOT DEFINED CUDA_ARCHITECTURES OR CUDA_ARCHITECTURES STREQUAL "")
  set(CUDA_ARCHITECTURES native)
endif()
if(NOT DEFINED CPU_AMX OR CPU_AMX STREQUAL "")
  set(CPU_AMX OFF)
endif()
if(NOT DEFINED BUILD_TOOLS)
  set(BUILD_TOOLS OFF)
endif()
if(NOT DEFINED JOBS OR JOBS STREQUAL "")
  include(ProcessorCount)
  ProcessorCount(JOBS)
  if(JOBS EQUAL 0)
    set(JOBS 2)
  endif()
endif()

# Two Maven runs (an IDE and a terminal, parallel CI jobs) must not run ninja in one build tree at once:
# the second waits here for the first.
get_filename_component(lock_parent "${BUILD_DIR}" DIRECTORY)
file(MAKE_DIRECTORY "${lock_parent}")
file(LOCK "${BUILD_DIR}.lock" GUARD PROCESS TIMEOUT 3600 RESULT_VARIABLE lock_rc)
if(NOT lock_rc EQUAL 0)
  message(FATAL_ERROR "puna: could not lock ${BUILD_DIR}.lock: ${lock_rc}")
endif()

set(generator_args)
find_program(NINJA ninja)
if(NINJA AND NOT EXISTS "${BUILD_DIR}/CMakeCache.txt")
  set(generator_args -G Ninja)
endif()

execute_process(
  COMMAND ${CMAKE_COMMAND} -S "${SOURCE_DIR}" -B "${BUILD_DIR}" ${generator_args}
          -DCMAKE_BUILD_TYPE=Release
          -DPUNA_BACKEND=${BACKEND}
          -DPUNA_PORTABLE=${PORTABLE}
          -DPUNA_CUDA_ARCHITECTURES=${CUDA_ARCHITECTURES}
          -DPUNA_CUBLAS_DIR=${CUBLAS_DIR}
          -DPUNA_BUILD_LLAMA_TOOLS=${BUILD_TOOLS}
          -DPUNA_CPU_AMX=${CPU_AMX}
          -DPUNA_STAGE_DIR=${STAGE_DIR}
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "puna: CMake configure failed (${rc})")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build "${BUILD_DIR}" --parallel ${JOBS} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "puna: native build failed (${rc})")
endif()
