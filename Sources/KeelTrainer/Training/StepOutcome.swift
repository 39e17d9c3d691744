/// Whether the fit loop goes on after a step.
enum StepOutcome {
    case `continue`
    case stop(StopReason)
}
