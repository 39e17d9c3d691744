// KeelData: seeded synthetic long-range tasks, text/CSV/NPY loaders, batching and shuffling.
@_exported import KeelCore
