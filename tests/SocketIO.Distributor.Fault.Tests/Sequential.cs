// Each fault test runs 400 clients and five processes on a 2-core machine: one at a time, so the
// numbers measure the fault, not the neighbours.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
