// swift-tools-version: 6.1
// A third-party package built from Keel's public API only: a quantile clipper, a monitor that
// receives the gradient pipeline's clip reports, their conformance tests, and a composed Trainer.
// CI builds it from this checkout (Examples/test.sh) and checks that swift-argument-parser is
// neither fetched nor built: the Keel dependency says `traits: []`.
import PackageDescription

let package = Package(
    name: "ClipAwareComponents",
    products: [.library(name: "ClipAwareComponents", targets: ["ClipAwareComponents"])],
    dependencies: [.package(name: "Keel", path: "../..", traits: [])],
    targets: [
        .target(
            name: "ClipAwareComponents",
            dependencies: [
                .product(name: "KeelCore", package: "Keel"), .product(name: "KeelOptimizers", package: "Keel"),
                .product(name: "KeelMonitors", package: "Keel"),
            ]),
        .testTarget(
            name: "ClipAwareComponentsTests",
            dependencies: [
                "ClipAwareComponents", .product(name: "KeelConformance", package: "Keel"), .product(name: "Keel", package: "Keel"),
            ]),
    ]
)
