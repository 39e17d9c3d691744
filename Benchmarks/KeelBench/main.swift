print("keel-bench: no benchmarks yet")
