#!/usr/bin/env bash
# The GPU sitting, in one go on one machine: `gapo bench` on CUDA and on native wgpu (Vulkan), the PyTorch
# twin on CUDA, and the quick run on CUDA end to end. Each part has its own time limit, so one that hangs
# does not take the others with it.
#
#   bash bench/gpu.sh path/to/gapo OUTDIR
#
# The binary is a release build with `--features cuda,wgpu` (it needs no LLVM: docs/upstream-cuda.md). It
# loads the NVIDIA driver and NVRTC (libnvrtc.so) at run time; wgpu needs the Vulkan loader (libvulkan1).
set -u
bin=$1
out=${2:-/tmp/gapo-gpu}
mkdir -p "$out"

nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$out/gpu.txt"
nproc | sed 's/^/cpu cores: /' | tee -a "$out/gpu.txt"

# cudarc opens libnvrtc.so.<major> by name: put every folder holding one on the loader's path.
# Not the toolkit's stubs/ folder: its libcuda.so is a stub that answers CUDA_ERROR_STUB_LIBRARY.
nvrtc_dirs=$(find / -xdev \( -path /proc -o -path /sys \) -prune -o -name 'libnvrtc.so*' -print 2>/dev/null |
  grep -v /stubs/ | xargs -r -n1 dirname | sort -u | paste -sd:)
echo "nvrtc in: $nvrtc_dirs" | tee -a "$out/gpu.txt"
export LD_LIBRARY_PATH="${nvrtc_dirs}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

# The Vulkan loader looks in /usr/share and /etc; the driver's ICD file may live elsewhere.
for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json; do
  [ -f "$icd" ] && { export VK_DRIVER_FILES=$icd; echo "vulkan icd: $icd" | tee -a "$out/gpu.txt"; break; }
done

# GPU memory: nvidia-smi's reading of the whole device every 100 ms while a part runs (includes the CUDA
# context); the peak is written beside the part's output.
gpu_mem_peak() {
  nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 100 >"$out/$1.mem" 2>/dev/null &
  local watcher=$!
  shift
  "$@"
  local rc=$?
  kill "$watcher" 2>/dev/null
  wait "$watcher" 2>/dev/null
  return $rc
}
peak() { sort -n "$out/$1.mem" | tail -1 | sed "s/^/$1: GPU memory used, peak MiB (nvidia-smi): /" | tee -a "$out/gpu.txt"; }

run_part() { # name, limit in seconds, command...
  local name=$1 limit=$2
  shift 2
  echo "== $name"
  local t0=$(date +%s)
  gpu_mem_peak "$name" timeout "$limit" "$@" >"$out/$name.txt" 2>&1
  echo "rc=$? after $(( $(date +%s) - t0 )) s" >>"$out/$name.txt"
  tail -n 12 "$out/$name.txt"
  peak "$name"
}

"$bin" --device cuda env 2>&1 | tee -a "$out/gpu.txt"
run_part bench-cuda 120 "$bin" --device cuda bench --warmup 5 --iters 20 --json "$out/bench-cuda.json"
run_part bench-wgpu 120 "$bin" --device wgpu bench --warmup 5 --iters 20 --json "$out/bench-wgpu.json"
run_part twin-cuda 90 python3 bench/twin.py --device cuda --warmup 5 --iters 20 --json "$out/twin-cuda.json"
run_part quick-cuda 100 "$bin" --device cuda run --config quick --out "$out/quick-cuda-run"
