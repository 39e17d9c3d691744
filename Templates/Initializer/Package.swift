// swift-tools-version: 6.0
// A starter package for a custom Keel initializer: copy it, rename ScaledUniform, keep the conformance test passing.
import PackageDescription

let package = Package(
    name: "ScaledUniform",
    products: [.library(name: "ScaledUniform", targets: ["ScaledUniform"])],
    dependencies: [.package(name: "Keel", path: "../..")],
    targets: [
        .target(
            name: "ScaledUniform",
            dependencies: [.product(name: "KeelCore", package: "Keel")]),
        .testTarget(
            name: "ScaledUniformTests",
            dependencies: ["ScaledUniform", .product(name: "KeelConformance", package: "Keel")]),
    ]
)
