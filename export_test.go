package mlp

// Allocated is allocated, for the tests of package mlp_test.
var Allocated = allocated
