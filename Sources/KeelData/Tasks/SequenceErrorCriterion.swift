/// How a task's published papers judge one sequence right or wrong: the basis of their error
/// rates ("fewer than 1% of 10,000 fresh sequences wrong").
///
/// - ``squaredErrorAbove(_:)``: regression; wrong if (prediction − target)² exceeds the threshold
///   for any output. Pascanu et al.'s adding and multiplication problems (`addition.py`:
///   "square error is larger than .04"); Keel uses the same 0.04 for the uRNN/IRNN adding variant.
/// - ``absoluteErrorAbove(_:)``: regression; wrong if |prediction − target| exceeds the threshold
///   for any output. Hochreiter & Schmidhuber 1997, Exp. 4 and 5 ("correct if the absolute error
///   is below 0.04"), and Martens & Sutskever's pathological tasks.
/// - ``lastStepArgmaxMismatch``: classification of the whole sequence; wrong if the arg-max of the
///   prediction (the last step's output) is not the class (temporal order, random permutation).
/// - ``anyStepArgmaxMismatch``: a class at every step; wrong if **any** step's arg-max is not its
///   class (copy memory, noiseless memorization).
///
/// Arg-max ties go to the lowest class index, and a NaN output is the arg-max (`Tensor.argmax(alongAxis:)`),
/// so a sequence whose prediction holds NaN counts as wrong unless that NaN sits at its class.
///
/// ```swift
/// let criterion = SequenceErrorCriterion.squaredErrorAbove(0.04)
/// let wrong = criterion.wrongSequences(predictions: output, targets: batch.targets)  // [Bool], one per sequence
/// ```
public enum SequenceErrorCriterion: Sendable, Hashable, Codable {
    /// Wrong if the squared error of any output exceeds the threshold. Predictions and targets
    /// `[batch, outputs]` (or `[batch]`).
    case squaredErrorAbove(Double)
    /// Wrong if the absolute error of any output exceeds the threshold. Predictions and targets
    /// `[batch, outputs]` (or `[batch]`).
    case absoluteErrorAbove(Double)
    /// Wrong if the arg-max of the prediction is not the class. Predictions `[batch, classes]`,
    /// targets `[batch]` class indices.
    case lastStepArgmaxMismatch
    /// Wrong if any step's arg-max is not that step's class. Predictions `[time, batch, classes]`,
    /// targets `[time, batch]` class indices.
    case anyStepArgmaxMismatch

    /// A short description for logs and reports: "squared error > 0.04".
    public var summary: String {
        switch self {
        case .squaredErrorAbove(let threshold): "squared error > \(threshold)"
        case .absoluteErrorAbove(let threshold): "absolute error > \(threshold)"
        case .lastStepArgmaxMismatch: "arg-max of the last step ≠ class"
        case .anyStepArgmaxMismatch: "any step's arg-max ≠ its class"
        }
    }

    /// Whether each sequence of a batch is wrong, in batch order.
    ///
    /// - Precondition: the shapes are the ones the case documents and agree with each other
    ///   (the batch extent of predictions and targets is the same).
    public func wrongSequences<Scalar: TensorScalar>(predictions: Tensor<Scalar>, targets: Tensor<Scalar>) -> [Bool] {
        let truth = targets.scalars
        switch self {
        case .squaredErrorAbove(let threshold), .absoluteErrorAbove(let threshold):
            let values = predictions.scalars
            precondition(
                predictions.shape == targets.shape && predictions.rank >= 1,
                "SequenceErrorCriterion: predictions \(predictions.shape) and targets \(targets.shape) must have the same shape [batch, outputs]")
            let batch = predictions.shape[0]
            let outputs = batch == 0 ? 0 : values.count / batch
            let squared: Bool = if case .squaredErrorAbove = self { true } else { false }
            return (0..<batch).map { row in
                (0..<outputs).contains { column in
                    let error = Double(values[row * outputs + column]) - Double(truth[row * outputs + column])
                    return squared ? error * error > threshold : abs(error) > threshold
                }
            }
        case .lastStepArgmaxMismatch:
            precondition(
                predictions.rank == 2 && targets.shape == [predictions.shape[0]],
                "SequenceErrorCriterion: predictions \(predictions.shape) must be [batch, classes] and targets \(targets.shape) [batch]")
            return zip(predictions.argmax(alongAxis: 1), truth).map { predicted, target in predicted != Self.classIndex(target) }
        case .anyStepArgmaxMismatch:
            precondition(
                predictions.rank == 3 && targets.shape == [predictions.shape[0], predictions.shape[1]],
                "SequenceErrorCriterion: predictions \(predictions.shape) must be [time, batch, classes] and targets \(targets.shape) [time, batch]")
            let time = predictions.shape[0], batch = predictions.shape[1]
            let predicted = predictions.argmax(alongAxis: 2)  // row t·batch + b
            return (0..<batch).map { b in
                (0..<time).contains { t in predicted[t * batch + b] != Self.classIndex(truth[t * batch + b]) }
            }
        }
    }

    /// The number of wrong sequences in a batch (see ``wrongSequences(predictions:targets:)``).
    public func wrongCount<Scalar: TensorScalar>(predictions: Tensor<Scalar>, targets: Tensor<Scalar>) -> Int {
        wrongSequences(predictions: predictions, targets: targets).filter { $0 }.count
    }

    /// A class index stored as a scalar; a non-integral or non-finite value matches no class.
    private static func classIndex<Scalar: TensorScalar>(_ value: Scalar) -> Int {
        let number = Double(value)
        guard number.isFinite, number == number.rounded(), number >= 0 else { return -1 }
        return Int(number)
    }
}

extension SyntheticTask {
    /// The criterion the task's papers count errors by: ``SequenceErrorCriterion/squaredErrorAbove(_:)``
    /// 0.04 for regression, ``SequenceErrorCriterion/lastStepArgmaxMismatch`` for a class per
    /// sequence, ``SequenceErrorCriterion/anyStepArgmaxMismatch`` for a class per step.
    /// ``AddingProblem`` and ``MultiplicationProblem`` refine it for their Hochreiter & Schmidhuber
    /// variants (absolute error > 0.04).
    public var errorCriterion: SequenceErrorCriterion {
        switch target {
        case .regression: .squaredErrorAbove(0.04)
        case .classification: .lastStepArgmaxMismatch
        case .sequenceClassification: .anyStepArgmaxMismatch
        }
    }
}
