# The build environment of the prebuilt GPU addon (release.yml, job "gpu"): NVIDIA's TensorRT container
# gives nvcc and TensorRT's headers (and libraries, so the job can check that the addon finds them at
# run time). The addon links no TensorRT library; only the headers matter at build time.
#
# One addon carries the engine for TensorRT 10 and, when TRT11_IMAGE names a TensorRT 11 container, for
# TensorRT 11 too (CMakeLists.txt compiles the engine once per major whose headers it finds). By default
# TRT11_IMAGE is the same image, which adds nothing.
#
#   docker build -f .github/docker/tensorrt.Dockerfile --build-arg TRT11_IMAGE=nvcr.io/nvidia/tensorrt:<tag> .github/docker
ARG TRT10_IMAGE=nvcr.io/nvidia/tensorrt:25.08-py3
ARG TRT11_IMAGE=${TRT10_IMAGE}
ARG NODE_IMAGE=node:20-bookworm

FROM ${TRT11_IMAGE} AS trt11
FROM ${NODE_IMAGE} AS node

FROM ${TRT10_IMAGE}
# Node from the official image (a static-enough binary for this newer glibc), npm with it.
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=node /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && node --version && npm --version
# The other image's TensorRT headers (only those: the rest of its include folder is another glibc's), in a
# root of their own that TENSORRT_ROOT names; this image's are found in /usr/include/x86_64-linux-gnu.
COPY --from=trt11 /usr/include/x86_64-linux-gnu/NvInfer*.h /usr/include/x86_64-linux-gnu/NvOnnx*.h /opt/tensorrt11/include/
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends cmake make g++ python3 binutils >/dev/null \
 && rm -rf /var/lib/apt/lists/*
ENV TENSORRT_ROOT=/opt/tensorrt11
