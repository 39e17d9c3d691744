// KeelData: seeded synthetic long-range tasks, text/CSV/NPY loaders, batching and shuffling.
//
// Every source conforms to KeelCore's `BatchSource`: random access by (epoch, index), the same
// batch however often it is asked for. Synthetic tasks (AddingProblem, MultiplicationProblem,
// TemporalOrderProblem, RandomPermutationProblem, NoiselessMemorizationProblem, CopyTask) draw
// each batch from a generator seeded by `BatchSeed`; loaders (CharacterTextDataset,
// CSVTimeSeries, NPYArray, TensorBatchSource) shuffle per epoch with `Shuffler` through
// `EpochOrder`. Bad files throw typed errors naming the file and the line or byte offset.
@_exported import KeelCore
