// Reads what `heapbook export` wrote with the formats' own tools, for
// tests/profiler/check.sh:
//
//   node tests/profiler/exports.mjs pprof FILE       gunzips it and decodes it with the
//                                                    npm pprof-format decoder; prints the
//                                                    sample types, then a sample a line:
//                                                    "main;f;g v1 v2 v3 v4", root first
//   node tests/profiler/exports.mjs speedscope FILE  validates it against speedscope's
//                                                    file-format-schema.json (ajv); prints
//                                                    a sample a line: "main;f;g weight"
//
// Exits 1 with the reason if the file does not decode or validate.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';

const web = createRequire(new URL('../../profiler/web/package.json', import.meta.url));
const [format, file] = process.argv.slice(2);

function fail(why) {
    console.error(`exports: ${file}: ${why}`);
    process.exit(1);
}

function pprof() {
    const { Profile } = web('pprof-format');
    const profile = Profile.decode(gunzipSync(readFileSync(file)));
    const text = (i) => profile.stringTable.strings[Number(i)];
    if (text(0) !== '') fail('string_table[0] is not ""');
    console.log(profile.sampleType.map((t) => `${text(t.type)}/${text(t.unit)}`).join(' '));
    const functions = new Map(profile.function.map((f) => [Number(f.id), text(f.name)]));
    const locations = new Map(profile.location.map((l) => [Number(l.id), l]));
    for (const sample of profile.sample) {
        const names = [];
        for (const id of sample.locationId) {
            const location = locations.get(Number(id));
            if (!location) fail(`sample names location ${id}, which is not there`);
            for (const line of location.line) {
                if (!functions.has(Number(line.functionId))) fail(`no function ${line.functionId}`);
                names.push(functions.get(Number(line.functionId)));
            }
        }
        console.log(`${names.reverse().join(';')} ${sample.value.map(Number).join(' ')}`);
    }
}

function speedscope() {
    const Ajv = web('ajv');
    const schema = JSON.parse(
        readFileSync(web.resolve('speedscope/dist/release/file-format-schema.json'), 'utf8'));
    const data = JSON.parse(readFileSync(file, 'utf8'));
    const validate = new Ajv({ strict: false }).compile(schema);
    if (!validate(data)) fail(`not speedscope's format: ${JSON.stringify(validate.errors)}`);
    const frames = data.shared.frames;
    for (const profile of data.profiles) {
        if (profile.samples.length !== profile.weights.length) fail('samples and weights differ');
        profile.samples.forEach((stack, i) => {
            for (const f of stack) if (!frames[f]) fail(`sample ${i} names frame ${f}`);
            console.log(`${stack.map((f) => frames[f].name).join(';')} ${profile.weights[i]}`);
        });
    }
}

if (format === 'pprof') pprof();
else if (format === 'speedscope') speedscope();
else fail(`no format "${format}"`);
