package main

import (
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"
)

// modelFlag is one -model of mlp serve: a name and a file.
type modelFlag struct{ name, file string }

// modelFlags are the -model flags of mlp serve, in order.
type modelFlags []modelFlag

// String returns the models as "name (file), ...".
func (m modelFlags) String() string {
	s := make([]string, len(m))
	for i, f := range m {
		s[i] = fmt.Sprintf("%s (%s)", f.name, f.file)
	}
	return strings.Join(s, ", ")
}

// Set adds a model given as NAME=FILE or FILE, the latter named after the
// file's stem (iris for models/iris.mlp). A name holds no "/", "?" or "#"
// and is given once.
func (m *modelFlags) Set(v string) error {
	name, file, ok := strings.Cut(v, "=")
	if !ok {
		file = v
		name = strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	}
	if file == "" {
		return fmt.Errorf("no file in %q: want NAME=FILE or FILE", v)
	}
	if name == "" || strings.ContainsAny(name, "/?#") || strings.TrimSpace(name) != name {
		return fmt.Errorf("model name %q: want a name without /, ? or # and without spaces around it", name)
	}
	for _, f := range *m {
		if f.name == name {
			return fmt.Errorf("model name %q given twice (for %s and %s): name them with NAME=FILE", name, f.file, file)
		}
	}
	*m = append(*m, modelFlag{name, file})
	return nil
}

// defaultAddr is where mlp serve listens without -addr or PORT.
const defaultAddr = "127.0.0.1:8080"

// listenAddress returns the address to listen on and where it comes from:
// addr when -addr was given (addrSet), 0.0.0.0:PORT when the PORT
// environment variable is set (as Knative and Cloud Run set it), the
// loopback default otherwise. It returns a usage error for a PORT that is
// not a port number.
func listenAddress(addr string, addrSet bool, port string) (listen, from string, err error) {
	switch {
	case addrSet:
		return addr, "from -addr", nil
	case port != "":
		n, err := strconv.ParseUint(port, 10, 16)
		if err != nil {
			return "", "", usagef("the environment variable PORT is %q, not a port number", port)
		}
		return net.JoinHostPort("0.0.0.0", strconv.FormatUint(n, 10)), "from PORT", nil
	}
	return defaultAddr, "the default address; -addr or PORT changes it", nil
}
