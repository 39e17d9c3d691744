import CKeelKernels

/// An elementwise function of one operand, computed by a vectorized kernel.
public enum UnaryKernel: Sendable {
    case negate, abs, sqrt, exp, log, tanh, sigmoid, relu, square
    /// ReLU′(x): 1 where x > 0, 0 where x ≤ 0, NaN where x is NaN (so a NaN forward value still
    /// shows in the backward pass).
    case reluDerivative

    var cValue: keel_unary_op {
        switch self {
        case .negate: KEEL_UNARY_NEG
        case .abs: KEEL_UNARY_ABS
        case .sqrt: KEEL_UNARY_SQRT
        case .exp: KEEL_UNARY_EXP
        case .log: KEEL_UNARY_LOG
        case .tanh: KEEL_UNARY_TANH
        case .sigmoid: KEEL_UNARY_SIGMOID
        case .relu: KEEL_UNARY_RELU
        case .square: KEEL_UNARY_SQUARE
        case .reluDerivative: KEEL_UNARY_RELU_DERIVATIVE
        }
    }
}

/// An elementwise function of two operands, computed by a vectorized kernel.
///
/// `maximum` and `minimum` propagate NaN, as NumPy's `maximum`/`minimum` do. The comparisons
/// give 1 where the relation holds and 0 elsewhere; a NaN operand compares false (so `notEqual`
/// gives 1 there), as in IEEE 754 and NumPy.
public enum BinaryKernel: Sendable {
    case add, subtract, multiply, divide, maximum, minimum, power
    case greater, greaterOrEqual, less, lessOrEqual, equal, notEqual

    var cValue: keel_binary_op {
        switch self {
        case .add: KEEL_BINARY_ADD
        case .subtract: KEEL_BINARY_SUB
        case .multiply: KEEL_BINARY_MUL
        case .divide: KEEL_BINARY_DIV
        case .maximum: KEEL_BINARY_MAX
        case .minimum: KEEL_BINARY_MIN
        case .power: KEEL_BINARY_POW
        case .greater: KEEL_BINARY_GREATER
        case .greaterOrEqual: KEEL_BINARY_GREATER_EQUAL
        case .less: KEEL_BINARY_LESS
        case .lessOrEqual: KEEL_BINARY_LESS_EQUAL
        case .equal: KEEL_BINARY_EQUAL
        case .notEqual: KEEL_BINARY_NOT_EQUAL
        }
    }
}

/// A reduction of a buffer to one number, computed by a vectorized kernel that accumulates in
/// `Double`.
public enum ReductionKernel: Sendable {
    /// Σ xᵢ (0 for an empty buffer).
    case sum
    /// Σ xᵢ² (0 for an empty buffer).
    case sumOfSquares
    /// Σ |xᵢ| (0 for an empty buffer).
    case absoluteSum
    /// max xᵢ (−∞ for an empty buffer; NaN if any element is NaN).
    case maximum
    /// min xᵢ (+∞ for an empty buffer; NaN if any element is NaN).
    case minimum
    /// max |xᵢ| (0 for an empty buffer; NaN if any element is NaN).
    case absoluteMaximum

    var cValue: keel_reduce_op {
        switch self {
        case .sum: KEEL_REDUCE_SUM
        case .sumOfSquares: KEEL_REDUCE_SUM_SQUARES
        case .absoluteSum: KEEL_REDUCE_ABS_SUM
        case .maximum: KEEL_REDUCE_MAX
        case .minimum: KEEL_REDUCE_MIN
        case .absoluteMaximum: KEEL_REDUCE_ABS_MAX
        }
    }
}
