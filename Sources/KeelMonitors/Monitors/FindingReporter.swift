/// A monitor that says what its detectors saw in the last inspected step, whether or not its
/// action changes the verdict (a ``MonitorAction/warn`` monitor reports here only).
///
/// ``MonitorSet`` reads the findings of every member that conforms, so warnings reach the event
/// stream as `monitorFired` events with a `proceed` verdict.
public protocol FindingReporter {
    /// Human-readable findings of the last call to `inspect`; empty when nothing fired.
    var findings: [String] { get }
}
