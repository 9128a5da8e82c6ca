#pragma once
// Which share of a sweep's trials this process runs when a launcher started several copies of
// it (mpirun -np N descent sweep ...): Open MPI says OMPI_COMM_WORLD_RANK and _SIZE, MPICH and
// others PMI_RANK and PMI_SIZE. Trials are independent, so no MPI call is needed: rank r runs
// trials r, r + N, r + 2N, ... and the ranks meet through the files in the sweep directory.
namespace descent::sweep {

struct LauncherRank {
  int rank = 0;
  int size = 1;  // 1: not under a launcher
};

// Throws std::runtime_error naming the variable when one is set but not a rank below the size.
LauncherRank launcher_rank();

}  // namespace descent::sweep
