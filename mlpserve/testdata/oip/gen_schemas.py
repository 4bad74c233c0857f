"""Writes schemas.json: components.schemas and paths of open_inference_rest.yaml as JSON."""
import json
import yaml

with open("open_inference_rest.yaml") as f:
    spec = yaml.safe_load(f)
out = {"schemas": spec["components"]["schemas"], "paths": spec["paths"]}
with open("schemas.json", "w") as f:
    json.dump(out, f, indent=1, sort_keys=True)
    f.write("\n")
