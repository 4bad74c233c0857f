// gen_parquet.js writes the Parquet fixtures of package parquet's tests
// from the CSV files beside it, with @dsnp/parquetjs (an independent
// writer), under node:
//
//	npm install --prefix ~/.cache/mlp-parquetjs --ignore-scripts @dsnp/parquetjs@1.8.7
//	MLP_PARQUETJS_DIR=~/.cache/mlp-parquetjs node gen_parquet.js [outdir]
//
// Each fixture has a schema of typed columns. An empty cell, "NA" or "?"
// is written as null (the tests read the CSV files with "?" as a
// missing-value marker), except in the columns listed in keepEmpty, where an
// empty cell is written as the empty string (which the reader takes for
// missing, as the CSV reader does). The fixtures differ in compression,
// page version, row-group and page sizes, to cover the reader's paths.
'use strict';
const fs = require('fs');
const path = require('path');
const dir = process.env.MLP_PARQUETJS_DIR || path.join(require('os').homedir(), '.cache', 'mlp-parquetjs');
const parquet = require(path.join(dir, 'node_modules', '@dsnp', 'parquetjs'));

const here = __dirname;
const out = process.argv[2] || here;

const fixtures = [
	{
		name: 'iris_species',
		schema: {
			sepal_length_cm: { type: 'DOUBLE' },
			sepal_width_cm: { type: 'DOUBLE' },
			petal_length_cm: { type: 'DOUBLE' },
			petal_width_cm: { type: 'DOUBLE' },
			species: { type: 'UTF8' },
		},
		opts: { useDataPageV2: false },
	},
	{
		name: 'penguins',
		schema: {
			island: { type: 'UTF8', optional: true, compression: 'SNAPPY' },
			bill_length_mm: { type: 'DOUBLE', optional: true, compression: 'SNAPPY' },
			bill_depth_mm: { type: 'DOUBLE', optional: true, compression: 'SNAPPY' },
			flipper_length_mm: { type: 'INT32', optional: true, compression: 'SNAPPY' },
			body_mass_g: { type: 'INT32', optional: true, compression: 'SNAPPY' },
			sex: { type: 'UTF8', optional: true, compression: 'SNAPPY' },
			species: { type: 'UTF8', optional: true, compression: 'SNAPPY' },
		},
		opts: { useDataPageV2: true, rowGroupSize: 50, pageSize: 16 },
	},
	{
		name: 'churn',
		schema: {
			plan: { type: 'UTF8', optional: true, compression: 'GZIP' },
			region: { type: 'UTF8', optional: true, compression: 'GZIP' },
			monthly_fee: { type: 'DOUBLE', optional: true, compression: 'GZIP' },
			tenure_months: { type: 'INT64', optional: true, compression: 'GZIP' },
			support_calls: { type: 'INT32', optional: true, compression: 'GZIP' },
			satisfaction: { type: 'INT32', optional: true, compression: 'GZIP' },
			churned: { type: 'UTF8', optional: true, compression: 'GZIP' },
		},
		opts: { useDataPageV2: false, rowGroupSize: 150, pageSize: 64 },
	},
	{
		name: 'flags',
		schema: {
			member: { type: 'BOOLEAN', optional: true },
			visits: { type: 'INT32' },
			big: { type: 'INT64' },
			score: { type: 'DOUBLE', optional: true },
			city: { type: 'UTF8', optional: true },
			label: { type: 'BOOLEAN' },
		},
		keepEmpty: ['city'],
		opts: { useDataPageV2: true },
	},
];

function cell(text, field, keep) {
	if (text === 'NA' || text === '?' || text === '' && !keep) {
		return undefined;
	}
	switch (field.type) {
	case 'DOUBLE':
		return parseFloat(text);
	case 'INT32':
		return parseInt(text, 10);
	case 'INT64':
		return BigInt(text);
	case 'BOOLEAN':
		return text === 'true';
	}
	return text;
}

async function write(f) {
	const lines = fs.readFileSync(path.join(here, f.name + '.csv'), 'utf8').split('\n').filter((l) => l !== '');
	const header = lines[0].split(',');
	const schema = new parquet.ParquetSchema(f.schema);
	const { rowGroupSize, pageSize, ...opts } = f.opts;
	const w = await parquet.ParquetWriter.openFile(schema, path.join(out, f.name + '.parquet'), opts);
	if (rowGroupSize) {
		w.setRowGroupSize(rowGroupSize);
	}
	if (pageSize) {
		w.setPageSize(pageSize);
	}
	for (const line of lines.slice(1)) {
		const cells = line.split(',');
		const row = {};
		header.forEach((name, j) => {
			const v = cell(cells[j], f.schema[name], (f.keepEmpty || []).includes(name));
			if (v !== undefined) {
				row[name] = v;
			}
		});
		await w.appendRow(row);
	}
	await w.close();
}

(async () => {
	for (const f of fixtures) {
		await write(f);
	}
})().catch((e) => {
	console.error(e);
	process.exit(1);
});
