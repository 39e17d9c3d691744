#ifndef CKEEL_MPI_H
#define CKEEL_MPI_H

// The few MPI calls data-parallel training needs, resolved at run time from the system's MPI
// library with dlopen/dlsym: Keel neither includes mpi.h nor links MPI, so it builds and runs on
// machines without MPI. Open MPI (handles are exported data symbols such as ompi_mpi_comm_world)
// and the MPICH ABI family (MPICH, Intel MPI, MVAPICH: handles are integer constants) are
// supported; every call uses MPI_COMM_WORLD and its default error handler (MPI_ERRORS_ARE_FATAL),
// so a failed or dead rank ends the whole job instead of leaving the others waiting.

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The reduction operations of keel_mpi_allreduce_*.
typedef enum { KEEL_MPI_SUM = 0, KEEL_MPI_MAX = 1, KEEL_MPI_MIN = 2 } keel_mpi_operation;

/// Loads the MPI library (the file KEEL_MPI_LIBRARY names when set; otherwise the first of
/// libmpi.so.40, libmpi.so.12, libmpi.so, libmpich.so.12, libmpich.so) and resolves every
/// symbol, once. Returns 0 on
/// success; otherwise writes one line saying what is missing into `message` (NUL-terminated,
/// at most `capacity` bytes) and returns -1.
int keel_mpi_load(char *message, size_t capacity);

/// The implementation loaded: "Open MPI", "MPICH ABI" or "" when none is.
const char *keel_mpi_implementation(void);

/// MPI_Init_thread(MPI_THREAD_SERIALIZED) unless MPI is already initialized. Returns the MPI
/// error code (0: success). Needs keel_mpi_load.
int keel_mpi_initialize(void);

/// Rank and size in MPI_COMM_WORLD (-1 when MPI is not initialized).
int keel_mpi_rank(void);
int keel_mpi_size(void);

/// In-place all-reduce of `count` values over MPI_COMM_WORLD (any count ≥ 0: counts beyond
/// INT_MAX are sent in pieces). Returns the MPI error code.
int keel_mpi_allreduce_float(float *buffer, int64_t count, keel_mpi_operation operation);
int keel_mpi_allreduce_double(double *buffer, int64_t count, keel_mpi_operation operation);

/// Broadcasts `count` bytes of `buffer` from `root` to every rank. Returns the MPI error code.
int keel_mpi_broadcast(void *buffer, int64_t count, int root);

/// MPI_Barrier(MPI_COMM_WORLD). Returns the MPI error code.
int keel_mpi_barrier(void);

/// MPI_Abort(MPI_COMM_WORLD, code): ends every rank of the job.
void keel_mpi_abort(int code);

/// MPI_Finalize unless already finalized. Returns the MPI error code.
int keel_mpi_finalize(void);

/// A 64-bit hash of the bytes of the file at `path` (0 when it cannot be read): the build
/// fingerprint ranks compare at start (the running executable, /proc/self/exe).
uint64_t keel_file_hash(const char *path);

#ifdef __cplusplus
}
#endif

#endif
