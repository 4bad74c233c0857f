package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/mlpkit/mlp/onnx"
)

func init() {
	register(&command{
		name:    "export",
		args:    "-model MODEL -o FILE.onnx [-float32]",
		summary: "write a model as ONNX (numeric columns only), for onnxruntime and other tools",
		setup:   setupExport,
	})
	register(&command{
		name:    "import",
		args:    "-onnx FILE.onnx -o MODEL [-classes a,b,c] [-target name[,name...]]",
		summary: "read a feedforward net from ONNX (from PyTorch, say) into a model file",
		setup:   setupImport,
	})
}

func setupExport(fs *flag.FlagSet) func(context.Context, *env) error {
	model := fs.String("model", "", "the model `file` (required)")
	out := fs.String("o", "", "the ONNX `file` to write (required)")
	f32 := fs.Bool("float32", false, "write float32 tensors instead of float64, for runtimes without double support")
	return func(ctx context.Context, e *env) error {
		switch {
		case *model == "":
			return usagef("-model is required")
		case *out == "":
			return usagef("-o is required")
		}
		dst, err := output(*out, flagPath{"-model", *model})
		if err != nil {
			return err
		}
		p, err := loadPipeline(*model)
		if err != nil {
			return err
		}
		if err := dst.Write(func(w io.Writer) error {
			return onnx.ExportPipeline(w, p, &onnx.ExportSettings{Float32: *f32})
		}); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "wrote %s (ONNX IR version %d, opset %d)\n", *out, onnx.IRVersion, onnx.Opset)
		return nil
	}
}

func setupImport(fs *flag.FlagSet) func(context.Context, *env) error {
	in := fs.String("onnx", "", "the ONNX `file` to read (required)")
	out := fs.String("o", "", "the model `file` to write (required)")
	var classes listFlag
	fs.Var(&classes, "classes", "comma-separated class `names`, in the order of the net's outputs; makes a net that ends without Softmax a classifier")
	var targets listFlag
	fs.Var(&targets, "target", "comma-separated target `names`: one for a classifier, one per output for a regressor (default: the file's, else y, or y0,y1,... for several outputs)")
	return func(ctx context.Context, e *env) error {
		switch {
		case *in == "":
			return usagef("-onnx is required")
		case *out == "":
			return usagef("-o is required")
		}
		dst, err := output(*out, flagPath{"-onnx", *in})
		if err != nil {
			return err
		}
		s := &onnx.ImportSettings{}
		if len(classes) > 0 {
			s.Classes = classes
		}
		if len(targets) > 0 {
			s.Targets = targets
		}
		m, err := importFile(*in, s)
		if err != nil {
			return err
		}
		// The pipeline takes the net Import built, and Save writes the
		// file in chunks: the peak memory is Import's, at most 3 times
		// the file's size plus 64 MiB (docs/command.md).
		p, err := m.PipelineNoCopy()
		if err != nil {
			return fmt.Errorf("%s: %w", *in, err)
		}
		if err := dst.Write(p.Save); err != nil {
			return err
		}
		if m.Producer != "" {
			fmt.Fprintf(e.stdout, "read %s, written by %s\n", *in, m.Producer)
		}
		if m.Appended != "" {
			fmt.Fprintf(e.stdout, "appended a %s to the net, which ended without one, to give class probabilities\n", m.Appended)
		}
		fmt.Fprintf(e.stdout, "wrote %s\n", *out)
		// m.Net is the pipeline's net: Import has appended the Softmax or
		// Sigmoid a classifier needs, so the pipeline appended none.
		return inspect(e.stdout, p, m.Net, 2)
	}
}

// importFile reads the ONNX file at path with onnx.Import. The file is
// closed, and Import's buffer of it unreachable, when it returns.
func importFile(path string, s *onnx.ImportSettings) (*onnx.Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := onnx.Import(f, s)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}
