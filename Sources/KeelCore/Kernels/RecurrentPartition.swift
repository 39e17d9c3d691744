import CKeelKernels

extension Kernels {
    /// The whole-sequence C kernel a cell's math matches: the descriptor a ``Cell`` returns from
    /// ``Cell/sequenceKernel`` to opt into the fused engine of `Recurrent`.
    ///
    /// A cell may return a kind only when its step is exactly that kernel's step, with PyTorch's
    /// gate order and parameter layout (`weightIH` `[G·hidden, input]`, `weightHH`
    /// `[G·hidden, hidden]`, `biasIH`, `biasHH` `[G·hidden]`):
    ///
    ///     rnnTanh:  h = tanh(x W_ihᵀ + b_ih + h₋₁ W_hhᵀ + b_hh)
    ///     rnnReLU:  h = relu(x W_ihᵀ + b_ih + h₋₁ W_hhᵀ + b_hh)
    ///     lstm:     [i, f, g, o] gates, c = f c₋₁ + i g, h = o tanh c
    ///     gru:      [r, z, n] gates, n = tanh(zx_n + r (h₋₁ W_hnᵀ + b_hn)), h = (1 − z) n + z h₋₁
    public enum RecurrentCellKind: Sendable, Hashable, CaseIterable, CustomStringConvertible {
        /// Elman RNN with tanh (G = 1 gate block).
        case rnnTanh
        /// Elman RNN with ReLU (G = 1).
        case rnnReLU
        /// LSTM (G = 4: i, f, g, o).
        case lstm
        /// GRU (G = 3: r, z, n).
        case gru

        /// The number of gate blocks G stacked in the weights (1, 1, 4, 3).
        public var gateCount: Int {
            switch self {
            case .rnnTanh, .rnnReLU: 1
            case .lstm: 4
            case .gru: 3
            }
        }

        /// Whether the state carries a memory cell besides the hidden state (LSTM).
        public var hasCellState: Bool { self == .lstm }

        public var description: String {
            switch self {
            case .rnnTanh: "rnnTanh"
            case .rnnReLU: "rnnReLU"
            case .lstm: "lstm"
            case .gru: "gru"
            }
        }

        /// The C kernel's `KEEL_CELL_*` constant.
        var cValue: Int32 {
            switch self {
            case .rnnTanh: Int32(KEEL_CELL_RNN_TANH)
            case .rnnReLU: Int32(KEEL_CELL_RNN_RELU)
            case .lstm: Int32(KEEL_CELL_LSTM)
            case .gru: Int32(KEEL_CELL_GRU)
            }
        }
    }

    /// How a whole-sequence recurrent kernel splits its work over threads: tiles of
    /// `rowChunks` chunks of batch rows × `columnBlocks` blocks of hidden units.
    ///
    /// One column block means each thread runs the whole sequence for its rows, with no
    /// synchronization per time step. More than one means each tile computes the G gate columns
    /// of its hidden units (so its gate math needs nothing from other tiles) and the threads meet
    /// at one barrier per step, because the next step's GEMM reads all of hₜ. The plan minimizes a
    /// modelled per-step time (GEMM FLOPs 2·rows·K·G·units, packing, gate math, and a barrier
    /// when there are column blocks); results are bit-identical whatever the plan.
    public struct RecurrentPartition: Equatable, Sendable, CustomStringConvertible {
        /// Chunks of batch rows (each a multiple of the GEMM register tile's rows, but the last).
        public var rowChunks: Int
        /// Blocks of hidden units (each a multiple of the GEMM register tile's columns, but the last).
        public var columnBlocks: Int

        /// A partition of `rowChunks` × `columnBlocks` tiles.
        public init(rowChunks: Int, columnBlocks: Int) {
            self.rowChunks = rowChunks
            self.columnBlocks = columnBlocks
        }

        /// `"4x3"`: row chunks × column blocks.
        public var description: String { "\(rowChunks)x\(columnBlocks)" }
    }

    /// The forward-pass partition the `Float` whole-sequence kernel would use for one layer on
    /// the current kernel path.
    ///
    /// - Parameters:
    ///   - cell: the cell kind.
    ///   - batchSize: rows of the batch.
    ///   - inputSize: features of the layer's input (ignored with `tokenInput`).
    ///   - hiddenSize: H.
    ///   - tokenInput: whether the layer reads token indices (its GEMM depth is then H).
    ///   - threads: the thread count (default ``threadCount``).
    public static func recurrentPartition(
        cell: RecurrentCellKind, batchSize: Int, inputSize: Int, hiddenSize: Int, tokenInput: Bool = false,
        threads: Int? = nil
    ) -> RecurrentPartition {
        var rows = 0, blocks = 0
        keel_recurrent_sequence_partition(
            cell.cValue, batchSize, inputSize, hiddenSize, tokenInput, Int32(max(1, threads ?? threadCount)), &rows, &blocks)
        return RecurrentPartition(rowChunks: rows, columnBlocks: blocks)
    }
}
