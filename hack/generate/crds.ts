// Renders the CustomResourceDefinitions from the API types in src/api/v1alpha1.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createGenerator, type Config } from "ts-json-schema-generator";
import { stringify } from "yaml";
import {
  DEFAULT_MAX_STRING_LENGTH,
  ENVIRONMENT,
  FIXED_DEFAULTS,
  FORMATS,
  GROUP,
  RATIO_BOUNDS,
  RELEASE,
  VERSION,
  type ResourceNames,
} from "../../src/api/v1alpha1/index.js";
import {
  ENVIRONMENT_PRINTER_COLUMNS,
  LIST_MAP_KEYS,
  RELEASE_PRINTER_COLUMNS,
  VALIDATION_RULES,
  type PrinterColumn,
} from "../../src/api/v1alpha1/crd.js";
import { applyDefaults, toStructural, type OpenApiSchema, type StructuralOptions } from "./structural.js";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const API_DIR = path.join(ROOT, "src/api/v1alpha1");

/** Every place a copy of the CRDs lives; `crds/` is the one to read. */
export const CRD_DIRS = ["crds", "config/crd/bases", "charts/release-operator/crds"] as const;

interface KindSource {
  names: ResourceNames;
  file: string;
  specType: string;
  statusType: string;
  description: string;
  printerColumns: PrinterColumn[];
  specDefaults: Readonly<Record<string, unknown>>;
}

const KINDS: KindSource[] = [
  {
    names: ENVIRONMENT,
    file: "environment.ts",
    specType: "EnvironmentSpec",
    statusType: "EnvironmentStatus",
    description:
      "An Environment says how releases to one target are done: strategies, approvals, change windows, the deploy script and its placement, smoke tests, the watch window and where reports go.",
    printerColumns: ENVIRONMENT_PRINTER_COLUMNS,
    specDefaults: FIXED_DEFAULTS,
  },
  {
    names: RELEASE,
    file: "release.ts",
    specType: "ReleaseSpec",
    statusType: "ReleaseStatus",
    description:
      "A Release is one attempt to release one version to one Environment, walked through the pre-release gate, strategy selection, execution, smoke tests and a watch window to a verdict.",
    printerColumns: RELEASE_PRINTER_COLUMNS,
    specDefaults: {},
  },
];

const SPEC_OPTIONS: StructuralOptions = {
  stringFormats: FORMATS,
  numberFormats: { Ratio: RATIO_BOUNDS },
  validationRules: VALIDATION_RULES,
  listMapKeys: {},
  defaultMaxLength: DEFAULT_MAX_STRING_LENGTH,
};

// Status is written by the operator alone and carries no CEL rules, so its strings stay unbounded;
// its formats are documentation for readers.
const STATUS_OPTIONS: StructuralOptions = {
  stringFormats: {},
  numberFormats: {},
  validationRules: {},
  listMapKeys: LIST_MAP_KEYS,
};

type SchemaGenerator = ReturnType<typeof createGenerator>;

/** One TypeScript program over the API files serves every type: building one costs about a second. */
function apiSchemaGenerator(): SchemaGenerator {
  const config: Config = {
    path: path.join(API_DIR, `{${KINDS.map((kind) => path.basename(kind.file, ".ts")).join(",")}}.ts`),
    tsconfig: path.join(ROOT, "tsconfig.json"),
    expose: "export",
    topRef: true,
    jsDoc: "extended",
    skipTypeCheck: true,
    additionalProperties: false,
    sortProps: true,
  };
  return createGenerator(config);
}

function crdFor(generator: SchemaGenerator, kind: KindSource): Record<string, unknown> {
  const spec = toStructural(generator.createSchema(kind.specType), kind.specType, SPEC_OPTIONS, "spec");
  applyDefaults(spec, kind.specDefaults, "spec");
  const status: OpenApiSchema = toStructural(
    generator.createSchema(kind.statusType),
    kind.statusType,
    STATUS_OPTIONS,
    "status",
  );
  const { names } = kind;
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: {
      name: `${names.plural}.${GROUP}`,
      labels: {
        "app.kubernetes.io/name": "release-operator",
        "app.kubernetes.io/part-of": "release-operator",
      },
    },
    spec: {
      group: GROUP,
      names: {
        kind: names.kind,
        listKind: names.listKind,
        plural: names.plural,
        singular: names.singular,
        shortNames: names.shortNames,
        categories: names.categories,
      },
      scope: "Namespaced",
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: kind.printerColumns,
          schema: {
            openAPIV3Schema: {
              type: "object",
              description: kind.description,
              required: ["spec"],
              properties: {
                apiVersion: { type: "string", description: "The versioned schema of this object." },
                kind: { type: "string", description: "The REST resource this object represents." },
                metadata: { type: "object" },
                spec: { ...spec, description: spec.description ?? `The desired ${names.kind}.` },
                status: {
                  ...status,
                  description: status.description ?? `The observed state of the ${names.kind}.`,
                },
              },
            },
          },
        },
      ],
    },
  };
}

const HEADER =
  "# Generated by `npm run generate` from src/api/v1alpha1. Do not edit: change the types and regenerate.\n";

/** Every generated file, by path relative to the repository root. */
export function renderCrds(): Map<string, string> {
  const files = new Map<string, string>();
  const generator = apiSchemaGenerator();
  for (const kind of KINDS) {
    const text = HEADER + stringify(crdFor(generator, kind), { lineWidth: 0 });
    for (const dir of CRD_DIRS) files.set(`${dir}/${GROUP}_${kind.names.plural}.yaml`, text);
  }
  return files;
}
