package mlpserve_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"

	"github.com/mlpkit/mlp/mlpserve"
	"github.com/mlpkit/mlp/tabular"
)

// Serve a saved pipeline (an iris classifier written by mlp train) on a
// loopback port, ask it for one prediction, and stop it.
func Example() {
	f, err := os.Open("testdata/iris.mlp")
	if err != nil {
		log.Fatal(err)
	}
	p, err := tabular.LoadPipeline(f)
	f.Close()
	if err != nil {
		log.Fatal(err)
	}
	h, err := mlpserve.NewHandler(p, nil) // default limits
	if err != nil {
		log.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background()) // or signal.NotifyContext
	served := make(chan error)
	go func() { served <- mlpserve.Serve(ctx, l, h, nil) }()

	body := `{"rows": [{"sepal_length": 6.7, "sepal_width": 3.0, "petal_length": 5.2, "petal_width": 2.3}]}`
	resp, err := http.Post("http://"+l.Addr().String()+"/predict", "application/json", strings.NewReader(body))
	if err != nil {
		log.Fatal(err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, strings.SplitN(string(answer), ",", 2)[0])

	stop()
	fmt.Println("Serve returned", <-served)
	// Output:
	// 200 {"predictions":["virginica"]
	// Serve returned <nil>
}
