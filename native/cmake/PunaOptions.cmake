# User-facing switches. Maven passes them from -Dpuna.backend / -Dpuna.portable / -Dpuna.cuda.architectures.
set(PUNA_BACKEND "cpu" CACHE STRING "ggml backend to build: cpu, cuda or metal")
set_property(CACHE PUNA_BACKEND PROPERTY STRINGS cpu cuda metal)
option(PUNA_PORTABLE "Build a CPU backend that runs on any x86-64/arm64 machine (GGML_NATIVE=OFF)" OFF)
set(PUNA_CUDA_ARCHITECTURES "native" CACHE STRING "CMAKE_CUDA_ARCHITECTURES for -Dpuna.backend=cuda (e.g. 90 for H100)")
option(PUNA_CPU_AMX "Let a native CPU build use Intel AMX kernels (only on hosts that really support AMX)" OFF)
option(PUNA_BUILD_LLAMA_TOOLS "Also build llama-server and llama-bench (for bench/)" OFF)

set(BUILD_SHARED_LIBS ON CACHE BOOL "" FORCE)
set(LLAMA_BUILD_COMMON ${PUNA_BUILD_LLAMA_TOOLS} CACHE BOOL "" FORCE)
set(LLAMA_BUILD_TESTS OFF CACHE BOOL "" FORCE)
set(LLAMA_BUILD_EXAMPLES OFF CACHE BOOL "" FORCE)
set(LLAMA_BUILD_TOOLS ${PUNA_BUILD_LLAMA_TOOLS} CACHE BOOL "" FORCE)
set(LLAMA_BUILD_SERVER ${PUNA_BUILD_LLAMA_TOOLS} CACHE BOOL "" FORCE)
set(LLAMA_BUILD_APP OFF CACHE BOOL "" FORCE)
set(LLAMA_BUILD_UI OFF CACHE BOOL "" FORCE)
set(LLAMA_USE_PREBUILT_UI OFF CACHE BOOL "" FORCE)
set(LLAMA_OPENSSL OFF CACHE BOOL "" FORCE)
set(LLAMA_CURL OFF CACHE BOOL "" FORCE)
set(LLAMA_BUILD_IS_DEV OFF CACHE BOOL "" FORCE)
# libmtmd (tools/mtmd: the image projector, clip.cpp) for vision. Standalone, so only the library is built, not
# the mtmd CLI tools; with PUNA_BUILD_LLAMA_TOOLS the tools/ tree adds the same target itself. Video needs an
# ffmpeg subprocess, which a server should not spawn.
set(LLAMA_BUILD_MTMD ON CACHE BOOL "" FORCE)
set(MTMD_VIDEO OFF CACHE BOOL "" FORCE)
# ggml's RPC backend (libggml-rpc): a model's layers can live on llama.cpp rpc-server workers on other machines.
# Built for every backend; nothing connects anywhere unless a model is given RPC servers (PUNA_RPC_SERVERS).
set(GGML_RPC ON CACHE BOOL "" FORCE)

if(PUNA_PORTABLE)
  set(GGML_NATIVE OFF CACHE BOOL "" FORCE)
else()
  set(GGML_NATIVE ON CACHE BOOL "" FORCE)
endif()

set(PUNA_CUBLAS_DIR "" CACHE PATH
    "cuBLAS installed outside the CUDA toolkit: a directory with include/cublas_v2.h and lib/libcublas.so* (e.g. an unpacked nvidia-cublas wheel's nvidia/cu13)")

if(PUNA_BACKEND STREQUAL "cuda")
  if(PUNA_CUBLAS_DIR)
    # FindCUDAToolkit keeps what it finds in these cache entries; set first, they make it take this cuBLAS.
    foreach(_lib cublas cublasLt)
      file(GLOB _found "${PUNA_CUBLAS_DIR}/lib/lib${_lib}.so*")
      if(NOT _found)
        message(FATAL_ERROR "puna: PUNA_CUBLAS_DIR=${PUNA_CUBLAS_DIR} has no lib/lib${_lib}.so*")
      endif()
      list(SORT _found)
      list(GET _found 0 _first)
      set(CUDA_${_lib}_LIBRARY "${_first}" CACHE FILEPATH "" FORCE)
    endforeach()
  endif()
  # ggml-cuda links cuBLAS. A toolkit installed without its math libraries (nvcc and cudart only) would
  # otherwise fail at generate time with an unreadable "target CUDA::cublas not found".
  find_package(CUDAToolkit)
  if(NOT CUDAToolkit_FOUND)
    message(FATAL_ERROR "puna: -Dpuna.backend=cuda needs the CUDA toolkit (nvcc, cudart, cuBLAS); none was found")
  endif()
  if(NOT TARGET CUDA::cublas)
    message(FATAL_ERROR "puna: CUDA ${CUDAToolkit_VERSION} at ${CUDAToolkit_BIN_DIR} has no cuBLAS "
            "(cublas_v2.h / libcublas), which ggml's CUDA backend links. Install the toolkit's math libraries "
            "(e.g. the cuda-libraries-dev-${CUDAToolkit_VERSION_MAJOR}-${CUDAToolkit_VERSION_MINOR} package), "
            "or point -Dpuna.cublas.dir at a cuBLAS with include/ and lib/, and configure again.")
  endif()
  if(PUNA_CUBLAS_DIR)
    # ggml's own find_package(CUDAToolkit) below reuses these targets, so ggml-cuda compiles against this header.
    set_property(TARGET CUDA::cublas APPEND PROPERTY INTERFACE_INCLUDE_DIRECTORIES "${PUNA_CUBLAS_DIR}/include")
  endif()
  if(NOT TARGET CUDA::cuda_driver AND NOT GGML_CUDA_NO_VMM)
    # libcuda.so comes with the NVIDIA driver (or the toolkit's stubs); a build host without either can still
    # build, with ggml's plain device pool instead of its virtual-memory one.
    message(WARNING "puna: no CUDA driver library (libcuda.so) found: building with GGML_CUDA_NO_VMM=ON. "
            "Build on a machine with the NVIDIA driver installed for ggml's virtual-memory pool.")
    set(GGML_CUDA_NO_VMM ON CACHE BOOL "" FORCE)
  endif()
  set(GGML_CUDA ON CACHE BOOL "" FORCE)
  set(CMAKE_CUDA_ARCHITECTURES "${PUNA_CUDA_ARCHITECTURES}" CACHE STRING "" FORCE)
elseif(PUNA_BACKEND STREQUAL "metal")
  set(GGML_METAL ON CACHE BOOL "" FORCE)
  set(GGML_METAL_EMBED_LIBRARY ON CACHE BOOL "" FORCE)
elseif(PUNA_BACKEND STREQUAL "cpu")
  set(GGML_CUDA OFF CACHE BOOL "" FORCE)
  set(GGML_METAL OFF CACHE BOOL "" FORCE)
else()
  message(FATAL_ERROR "puna: unknown PUNA_BACKEND '${PUNA_BACKEND}' (expected cpu, cuda or metal)")
endif()
