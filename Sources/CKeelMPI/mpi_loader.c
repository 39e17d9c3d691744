#include "CKeelMPI.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

// Open MPI passes handles as pointers to exported objects; the MPICH ABI passes 32-bit integers.
// Each family gets its own function-pointer types so that every call matches the callee's ABI.
typedef void *ompi_handle;
typedef int mpich_handle;

static struct {
    int loaded;
    int is_open_mpi;
    void *library;
    int (*initialized)(int *);
    int (*finalized)(int *);
    int (*init_thread)(int *, char ***, int, int *);
    int (*finalize)(void);
    union {
        struct {
            int (*comm_rank)(ompi_handle, int *);
            int (*comm_size)(ompi_handle, int *);
            int (*allreduce)(const void *, void *, int, ompi_handle, ompi_handle, ompi_handle);
            int (*bcast)(void *, int, ompi_handle, int, ompi_handle);
            int (*barrier)(ompi_handle);
            int (*abort)(ompi_handle, int);
            ompi_handle world, type_float, type_double, type_byte, op_sum, op_max, op_min;
        } ompi;
        struct {
            int (*comm_rank)(mpich_handle, int *);
            int (*comm_size)(mpich_handle, int *);
            int (*allreduce)(const void *, void *, int, mpich_handle, mpich_handle, mpich_handle);
            int (*bcast)(void *, int, mpich_handle, int, mpich_handle);
            int (*barrier)(mpich_handle);
            int (*abort)(mpich_handle, int);
        } mpich;
    } api;
} keel_mpi;

// The MPICH ABI's constants (mpi.h of MPICH ≥ 3.1, shared by Intel MPI and MVAPICH).
enum {
    MPICH_COMM_WORLD = 0x44000000,
    MPICH_FLOAT = 0x4c00040a,
    MPICH_DOUBLE = 0x4c00080b,
    MPICH_BYTE = 0x4c00010d,
    MPICH_MAX = 0x58000001,
    MPICH_MIN = 0x58000002,
    MPICH_SUM = 0x58000003,
};
static void *const OMPI_IN_PLACE = (void *)1;
static void *const MPICH_IN_PLACE = (void *)-1;
enum { KEEL_MPI_THREAD_SERIALIZED = 2 };  // the same value in both families

static int resolve(const char *name, void **slot, char *message, size_t capacity) {
    *slot = dlsym(keel_mpi.library, name);
    if (*slot) return 0;
    snprintf(message, capacity, "the MPI library has no symbol %s", name);
    return -1;
}

#define RESOLVE(name, slot) \
    if (resolve(name, (void **)&(slot), message, capacity) != 0) return -1

int keel_mpi_load(char *message, size_t capacity) {
    if (keel_mpi.loaded) return 0;
    const char *override = getenv("KEEL_MPI_LIBRARY");
    const char *candidates[] = {"libmpi.so.40", "libmpi.so.12", "libmpi.so", "libmpich.so.12", "libmpich.so"};
    // RTLD_GLOBAL: Open MPI loads its components as plugins that resolve libmpi's symbols.
    if (override && *override) {
        keel_mpi.library = dlopen(override, RTLD_NOW | RTLD_GLOBAL);
    } else {
        for (size_t i = 0; i < sizeof candidates / sizeof candidates[0] && !keel_mpi.library; i++) {
            keel_mpi.library = dlopen(candidates[i], RTLD_NOW | RTLD_GLOBAL);
        }
    }
    if (!keel_mpi.library) {
        snprintf(message, capacity, "distributed training needs an MPI library: apt-get install openmpi-bin");
        return -1;
    }
    RESOLVE("MPI_Initialized", keel_mpi.initialized);
    RESOLVE("MPI_Finalized", keel_mpi.finalized);
    RESOLVE("MPI_Init_thread", keel_mpi.init_thread);
    RESOLVE("MPI_Finalize", keel_mpi.finalize);
    void *world = dlsym(keel_mpi.library, "ompi_mpi_comm_world");
    keel_mpi.is_open_mpi = world != NULL;
    if (keel_mpi.is_open_mpi) {
        keel_mpi.api.ompi.world = world;
        RESOLVE("ompi_mpi_float", keel_mpi.api.ompi.type_float);
        RESOLVE("ompi_mpi_double", keel_mpi.api.ompi.type_double);
        RESOLVE("ompi_mpi_byte", keel_mpi.api.ompi.type_byte);
        RESOLVE("ompi_mpi_op_sum", keel_mpi.api.ompi.op_sum);
        RESOLVE("ompi_mpi_op_max", keel_mpi.api.ompi.op_max);
        RESOLVE("ompi_mpi_op_min", keel_mpi.api.ompi.op_min);
        RESOLVE("MPI_Comm_rank", keel_mpi.api.ompi.comm_rank);
        RESOLVE("MPI_Comm_size", keel_mpi.api.ompi.comm_size);
        RESOLVE("MPI_Allreduce", keel_mpi.api.ompi.allreduce);
        RESOLVE("MPI_Bcast", keel_mpi.api.ompi.bcast);
        RESOLVE("MPI_Barrier", keel_mpi.api.ompi.barrier);
        RESOLVE("MPI_Abort", keel_mpi.api.ompi.abort);
    } else {
        RESOLVE("MPI_Comm_rank", keel_mpi.api.mpich.comm_rank);
        RESOLVE("MPI_Comm_size", keel_mpi.api.mpich.comm_size);
        RESOLVE("MPI_Allreduce", keel_mpi.api.mpich.allreduce);
        RESOLVE("MPI_Bcast", keel_mpi.api.mpich.bcast);
        RESOLVE("MPI_Barrier", keel_mpi.api.mpich.barrier);
        RESOLVE("MPI_Abort", keel_mpi.api.mpich.abort);
    }
    keel_mpi.loaded = 1;
    return 0;
}

const char *keel_mpi_implementation(void) {
    if (!keel_mpi.loaded) return "";
    return keel_mpi.is_open_mpi ? "Open MPI" : "MPICH ABI";
}

static int keel_mpi_is_running(void) {
    if (!keel_mpi.loaded) return 0;
    int initialized = 0, finalized = 0;
    keel_mpi.initialized(&initialized);
    keel_mpi.finalized(&finalized);
    return initialized && !finalized;
}

int keel_mpi_initialize(void) {
    if (!keel_mpi.loaded) return -1;
    int initialized = 0;
    keel_mpi.initialized(&initialized);
    if (initialized) return 0;
    int provided = 0;
    return keel_mpi.init_thread(NULL, NULL, KEEL_MPI_THREAD_SERIALIZED, &provided);
}

int keel_mpi_rank(void) {
    if (!keel_mpi_is_running()) return -1;
    int rank = -1;
    if (keel_mpi.is_open_mpi) keel_mpi.api.ompi.comm_rank(keel_mpi.api.ompi.world, &rank);
    else keel_mpi.api.mpich.comm_rank(MPICH_COMM_WORLD, &rank);
    return rank;
}

int keel_mpi_size(void) {
    if (!keel_mpi_is_running()) return -1;
    int size = -1;
    if (keel_mpi.is_open_mpi) keel_mpi.api.ompi.comm_size(keel_mpi.api.ompi.world, &size);
    else keel_mpi.api.mpich.comm_size(MPICH_COMM_WORLD, &size);
    return size;
}

static int allreduce(void *buffer, int64_t count, size_t width, int is_double, keel_mpi_operation operation) {
    if (!keel_mpi_is_running()) return -1;
    char *bytes = buffer;
    while (count > 0) {
        int piece = count > INT_MAX ? INT_MAX : (int)count;
        int status;
        if (keel_mpi.is_open_mpi) {
            ompi_handle type = is_double ? keel_mpi.api.ompi.type_double : keel_mpi.api.ompi.type_float;
            ompi_handle op = operation == KEEL_MPI_MAX ? keel_mpi.api.ompi.op_max
                           : operation == KEEL_MPI_MIN ? keel_mpi.api.ompi.op_min : keel_mpi.api.ompi.op_sum;
            status = keel_mpi.api.ompi.allreduce(OMPI_IN_PLACE, bytes, piece, type, op, keel_mpi.api.ompi.world);
        } else {
            mpich_handle type = is_double ? MPICH_DOUBLE : MPICH_FLOAT;
            mpich_handle op = operation == KEEL_MPI_MAX ? MPICH_MAX : operation == KEEL_MPI_MIN ? MPICH_MIN : MPICH_SUM;
            status = keel_mpi.api.mpich.allreduce(MPICH_IN_PLACE, bytes, piece, type, op, MPICH_COMM_WORLD);
        }
        if (status != 0) return status;
        bytes += (size_t)piece * width;
        count -= piece;
    }
    return 0;
}

int keel_mpi_allreduce_float(float *buffer, int64_t count, keel_mpi_operation operation) {
    return allreduce(buffer, count, sizeof(float), 0, operation);
}

int keel_mpi_allreduce_double(double *buffer, int64_t count, keel_mpi_operation operation) {
    return allreduce(buffer, count, sizeof(double), 1, operation);
}

int keel_mpi_broadcast(void *buffer, int64_t count, int root) {
    if (!keel_mpi_is_running()) return -1;
    char *bytes = buffer;
    while (count > 0) {
        int piece = count > INT_MAX ? INT_MAX : (int)count;
        int status = keel_mpi.is_open_mpi
            ? keel_mpi.api.ompi.bcast(bytes, piece, keel_mpi.api.ompi.type_byte, root, keel_mpi.api.ompi.world)
            : keel_mpi.api.mpich.bcast(bytes, piece, MPICH_BYTE, root, MPICH_COMM_WORLD);
        if (status != 0) return status;
        bytes += piece;
        count -= piece;
    }
    return 0;
}

int keel_mpi_barrier(void) {
    if (!keel_mpi_is_running()) return -1;
    return keel_mpi.is_open_mpi ? keel_mpi.api.ompi.barrier(keel_mpi.api.ompi.world) : keel_mpi.api.mpich.barrier(MPICH_COMM_WORLD);
}

void keel_mpi_abort(int code) {
    if (keel_mpi_is_running()) {
        if (keel_mpi.is_open_mpi) keel_mpi.api.ompi.abort(keel_mpi.api.ompi.world, code);
        else keel_mpi.api.mpich.abort(MPICH_COMM_WORLD, code);
    }
    _exit(code);
}

int keel_mpi_finalize(void) {
    if (!keel_mpi_is_running()) return 0;
    return keel_mpi.finalize();
}

uint64_t keel_file_hash(const char *path) {
    int descriptor = open(path, O_RDONLY);
    if (descriptor < 0) return 0;
    struct stat info;
    if (fstat(descriptor, &info) != 0 || info.st_size <= 0) {
        close(descriptor);
        return 0;
    }
    size_t size = (size_t)info.st_size;
    const unsigned char *bytes = mmap(NULL, size, PROT_READ, MAP_PRIVATE, descriptor, 0);
    close(descriptor);
    if (bytes == MAP_FAILED) return 0;
    // FNV-1a over 64-bit words (then the tail bytes): fast enough for a 100 MB debug binary.
    uint64_t hash = 0xcbf29ce484222325ULL ^ (uint64_t)size;
    size_t words = size / 8;
    for (size_t i = 0; i < words; i++) {
        uint64_t word;
        memcpy(&word, bytes + 8 * i, 8);
        hash = (hash ^ word) * 0x100000001b3ULL;
        hash ^= hash >> 29;
    }
    for (size_t i = 8 * words; i < size; i++) hash = (hash ^ bytes[i]) * 0x100000001b3ULL;
    munmap((void *)bytes, size);
    return hash;
}
