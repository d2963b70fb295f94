// funnelsim-mpi: funnelsim's commands under `mpirun -np N`. Every rank parses the same command
// line and checks the same inputs (a bad scenario fails on every rank alike, before any message
// passing; only rank 0 prints, so it is reported once). The job is then split (ShardRole in
// tools/cli/shard_option.hpp): run and compare in static blocks of replications, sweep points and
// sensitivity runs handed out one at a time by rank 0. Each rank runs its share on all its cores
// (oneTBB), rank 0 gathers every rank's rows in order and writes the outputs a single process
// writes, byte for byte. calibrate runs its search on every rank and splits each evaluation's
// replications, every rank getting every row (all_gather), so all ranks take the same steps. A signal (mpirun passes
// SIGINT and SIGTERM on to every rank) stops each rank's share; the ranks still meet at the gather, and nothing is
// written.
#include <fcntl.h>
#include <mpi.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "cli_main.hpp"
#include "shard_option.hpp"

namespace {

constexpr int kClaimTag = 1;  // a rank asks rank 0 for the next unit
constexpr int kGrantTag = 2;  // rank 0's answer: the unit (>= the job's units when none is left)
constexpr int kDoneTag = 3;   // a rank claims no more

/// Where each rank's part starts in the gathered buffer, and the buffer's size; MPI counts are
/// ints, so a total past INT_MAX is refused (std::length_error saying `too_big`).
std::pair<std::vector<int>, std::size_t> displacements(const std::vector<int>& counts, const char* too_big) {
  std::vector<int> offsets(counts.size());
  std::size_t total = 0;
  for (std::size_t r = 0; r < counts.size(); ++r) {
    offsets[r] = static_cast<int>(total);
    total += static_cast<std::size_t>(counts[r]);
    if (total > static_cast<std::size_t>(std::numeric_limits<int>::max()))
      throw std::length_error(std::string("funnelsim-mpi: ") + too_big);
  }
  return {offsets, total};
}

class MpiCluster final : public funnelsim::cli::Cluster {
 public:
  MpiCluster() {
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  ~MpiCluster() override {
    if (server_.joinable()) server_.detach();  // only when a job threw between serve() and done()
  }
  MpiCluster(const MpiCluster&) = delete;
  MpiCluster& operator=(const MpiCluster&) = delete;

  int rank() const override { return rank_; }
  int size() const override { return size_; }

  bool start(bool ready) override {
    started_ = true;
    int mine = ready ? 1 : 0, all = 0;
    MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    split_ = all == 1;
    return split_;
  }
  bool started() const { return started_; }
  /// Whether the job was split and this rank's share not yet gathered (others may wait for it).
  bool owes_share() const { return split_ && !delivered_; }

  // Rank 0 answers claims on a thread of its own while its main thread simulates; no other thread
  // of rank 0 passes messages until done() joins it (MPI_THREAD_SERIALIZED). It polls with a
  // short sleep rather than blocking in MPI_Recv, which would spin a core away from the work.
  void serve(std::atomic<std::uint64_t>& next) override {
    server_ = std::thread([this, &next] {
      int finished = 0;
      while (finished < size_ - 1) {
        std::uint64_t message = 0;
        MPI_Request request;
        MPI_Irecv(&message, 1, MPI_UINT64_T, MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &request);
        int arrived = 0;
        MPI_Status status;
        for (MPI_Test(&request, &arrived, &status); !arrived; MPI_Test(&request, &arrived, &status))
          std::this_thread::sleep_for(std::chrono::microseconds(200));
        if (status.MPI_TAG == kDoneTag) {
          ++finished;
          continue;
        }
        std::uint64_t unit = next.fetch_add(1);
        MPI_Send(&unit, 1, MPI_UINT64_T, status.MPI_SOURCE, kGrantTag, MPI_COMM_WORLD);
      }
    });
  }

  std::uint64_t claim() override {
    std::uint64_t unit = 0;
    MPI_Send(&unit, 1, MPI_UINT64_T, 0, kClaimTag, MPI_COMM_WORLD);
    MPI_Recv(&unit, 1, MPI_UINT64_T, 0, kGrantTag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    return unit;
  }

  void done() override {
    if (rank_ == 0) {
      if (server_.joinable()) server_.join();
      return;
    }
    std::uint64_t none = 0;
    MPI_Send(&none, 1, MPI_UINT64_T, 0, kDoneTag, MPI_COMM_WORLD);
  }

  std::vector<std::string> gather(const std::string& mine) override {
    if (mine.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
      throw std::length_error("funnelsim-mpi: a rank's share exceeds 2 GiB: use more ranks");
    int length = static_cast<int>(mine.size());
    std::vector<int> lengths(rank_ == 0 ? static_cast<std::size_t>(size_) : 0);
    MPI_Gather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
    const auto [offsets, total] = displacements(lengths, "the gathered shares exceed 2 GiB");
    std::string all(total, '\0');
    MPI_Gatherv(mine.data(), length, MPI_CHAR, all.data(), lengths.data(), offsets.data(), MPI_CHAR, 0, MPI_COMM_WORLD);
    delivered();
    std::vector<std::string> texts;
    for (std::size_t r = 0; r < lengths.size(); ++r)
      texts.push_back(all.substr(static_cast<std::size_t>(offsets[r]), static_cast<std::size_t>(lengths[r])));
    return texts;
  }

  bool all_gather(std::vector<double>& values, bool stop) override {
    int mine = stop ? 1 : 0, any = 0;
    MPI_Allreduce(&mine, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (any != 0) return false;
    if (values.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
      throw std::length_error("funnelsim-mpi: a rank's share exceeds 2^31 values: use more ranks");
    int count = static_cast<int>(values.size());
    std::vector<int> counts(static_cast<std::size_t>(size_));
    MPI_Allgather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, MPI_COMM_WORLD);
    const auto [offsets, total] = displacements(counts, "the gathered values exceed 2^31");
    std::vector<double> all(total);
    MPI_Allgatherv(values.data(), count, MPI_DOUBLE, all.data(), counts.data(), offsets.data(), MPI_DOUBLE,
                   MPI_COMM_WORLD);
    values = std::move(all);
    return true;
  }

  void delivered() override { delivered_ = true; }

 private:
  int rank_ = 0;
  int size_ = 1;
  bool started_ = false;
  bool split_ = false;
  bool delivered_ = false;
  std::thread server_;
};

/// Ranks other than 0 print nothing: their stdout and stderr go to /dev/null.
void silence() {
  const int null = ::open("/dev/null", O_WRONLY);
  if (null < 0) return;
  ::dup2(null, 1);
  ::dup2(null, 2);
  ::close(null);
}

}  // namespace

int main(int argc, char** argv) {
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_SERIALIZED, &provided);
  int code = 0;
  {
    MpiCluster cluster;
    if (provided < MPI_THREAD_SERIALIZED) {
      if (cluster.rank() == 0) std::fputs("funnelsim-mpi: the MPI library gives no MPI_THREAD_SERIALIZED\n", stderr);
      MPI_Finalize();
      return 1;
    }
    if (cluster.rank() != 0) silence();
    funnelsim::cli::set_cluster(&cluster);
    code = funnelsim::cli::cli_main(argc, argv);
    funnelsim::cli::set_cluster(nullptr);
    if (!cluster.started()) {
      cluster.start(false);  // the others learn that this rank never reached the job
    } else if (cluster.owes_share() && code != 0) {
      // Failed while the job was split (an internal error): the other ranks may wait for its share.
      MPI_Abort(MPI_COMM_WORLD, code);
    }
  }
  std::fflush(stdout);
  MPI_Finalize();
  return code;
}
