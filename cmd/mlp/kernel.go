package main

// printKernel writes the kernel path in use to standard error.
func printKernel(e *env) {}
