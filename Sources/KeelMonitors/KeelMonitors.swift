// KeelMonitors: gradient statistics, explosion detectors and attribution, recurrent-dynamics
// monitors, and event sinks.
@_exported import KeelCore
