// bench_dataset: writes dataset D1 (default 1 M calls = 50k traces of 20, two projects 90/10)
// into <out>/spindle.sqlite through the raw-insert path (a database created by server::Database,
// prepared INSERTs, 1000 rows per transaction). Reuses an existing dataset with the same
// parameters unless --force is given. `--days 30 --model-mix` makes D4 (bench_dashboard): the same
// calls spread over 30 days, five models (one unpriced) and roots carrying their trace's usage.
#include "bench/common.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

using namespace spindle::bench;

int main(int argc, char** argv)
{
    if (hasFlag(argc, argv, "--help")) {
        std::cout << "usage: bench_dataset --out DIR [--traces 50000] [--seed N] [--days D] [--model-mix] "
                     "[--force]\n";
        return 0;
    }
    const std::string out = argValue(argc, argv, "--out", "bench/data/d1");
    const long traces = std::stol(argValue(argc, argv, "--traces", "50000"));
    const std::uint64_t seed = std::stoull(argValue(argc, argv, "--seed", std::to_string(kDefaultSeed)));
    const std::string dbPath = out + "/spindle.sqlite";
    const std::string markerPath = out + "/dataset.txt";

    GeneratorOptions options;
    const double days = std::stod(argValue(argc, argv, "--days", "0"));
    if (days > 0)
        options.traceSpacingMicros = static_cast<std::int64_t>(days * 86400e6 / static_cast<double>(traces));
    options.modelMix = hasFlag(argc, argv, "--model-mix");

    std::ostringstream wanted;
    wanted << "D1 v1 traces=" << traces << " calls_per_trace=" << kCallsPerTrace << " seed=" << seed;
    if (days > 0)
        wanted << " trace_spacing_us=" << options.traceSpacingMicros;
    if (options.modelMix)
        wanted << " model_mix=1";
    if (!hasFlag(argc, argv, "--force") && fileSize(dbPath) > 0) {
        std::ifstream marker(markerPath);
        std::string line;
        std::getline(marker, line);
        if (line == wanted.str()) {
            std::cout << "bench_dataset: reusing " << dbPath << " (" << line << ")\n";
            return 0;
        }
    }

    removeTree(out);
    std::filesystem::create_directories(out);
    std::cout << "bench_dataset: writing " << traces * kCallsPerTrace << " calls to " << dbPath << "\n";
    CallGenerator generator(seed, options);
    std::vector<GenCall> batch;
    double insertMs = 0;
    std::size_t payloadBytes = 0, calls = 0;
    {
        RawInserter inserter(dbPath);
        const auto start = Clock::now();
        while (generator.tracesGenerated() < traces) {
            batch.clear();
            for (int i = 0; i < 1000 / kCallsPerTrace && generator.tracesGenerated() < traces; ++i)
                generator.nextTrace(batch);
            for (const auto& call : batch)
                payloadBytes += call.attributes.size() + call.inputs.size()
                    + (call.output ? call.output->size() : 0) + call.summary.size();
            calls += batch.size();
            const auto insertStart = Clock::now();
            inserter.insert(batch, 0, batch.size());
            insertMs += msSince(insertStart);
        }
        std::cout << "bench_dataset: done in " << fmt(msSince(start) / 1000, 1) << " s\n";
    } // closing the last connection checkpoints the WAL into the main file

    reportInfo("D1", "calls", std::to_string(calls));
    reportInfo("D1", "mean JSON payload per call (attributes+inputs+output+summary)",
        fmt(static_cast<double>(payloadBytes) / static_cast<double>(calls), 0) + " B");
    reportInfo("D1", "raw insert rate while generating (insert time only)",
        fmt(static_cast<double>(calls) / (insertMs / 1000), 0) + " calls/s");
    reportInfo("D1", "database file", fmt(static_cast<double>(fileSize(dbPath)) / 1e6, 0) + " MB");
    std::ofstream(markerPath) << wanted.str() << "\n";
    return 0;
}
