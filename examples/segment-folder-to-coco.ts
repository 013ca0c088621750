/**
 * Segment every image of a folder and save one COCO file: "images", "annotations" (box, score, area and
 * the mask as a compressed RLE, pycocotools' format) and "categories", ready for pycocotools, FiftyOne
 * or CVAT.
 *
 *   npx tsx segment-folder-to-coco.ts [FOLDER] [OUT.json] [--model FastSAM-s.onnx] [--conf 0.4]
 *
 * Defaults: FOLDER images/, OUT coco.json, --model $FASTSAM_MODEL or FastSAM-s.onnx (a .pt checkpoint
 * works too: it is exported to ONNX once and cached).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { compressRle, FastSAM, isFastSAMError, type CompressedRLE, type RLE } from 'fastsam-node';

const IMAGE_FILE = /\.(jpe?g|png|webp|tiff?|avif|gif)$/i;

interface CocoAnnotation {
  id: number;
  image_id: number;
  category_id: number;
  bbox: [number, number, number, number];
  score: number;
  area: number;
  segmentation: CompressedRLE;
  iscrowd: 0;
}

/** Pixels in a mask: an uncompressed RLE alternates runs of 0s and 1s, starting with 0s. */
const maskArea = (rle: RLE): number => rle.counts.reduce((sum, run, i) => (i % 2 === 1 ? sum + run : sum), 0);

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      model: { type: 'string', default: process.env.FASTSAM_MODEL ?? 'FastSAM-s.onnx' },
      conf: { type: 'string', default: '0.4' },
    },
  });
  const [folder = 'images', out = 'coco.json'] = positionals;
  const files = (await fs.readdir(folder))
    .filter((name) => IMAGE_FILE.test(name))
    .sort()
    .map((name) => path.join(folder, name));
  if (files.length === 0) throw new Error(`no images in ${folder}`);

  const model = await FastSAM.load(values.model);
  const images: Array<{ id: number; file_name: string; width: number; height: number }> = [];
  const annotations: CocoAnnotation[] = [];
  try {
    // stream() decodes the next images while the network runs, and reports a bad image instead of throwing.
    // COCO masks are at the image's size: retinaMasks (FastSAM's default, said here to be sure).
    for await (const item of model.stream(files, { conf: Number(values.conf), retinaMasks: true })) {
      const file = item.source as string;
      if (item.error) {
        console.error(`${file}: skipped (${item.error.message} [${item.error.code}])`);
        continue;
      }
      const { result } = item;
      const imageId = images.length + 1;
      const [height, width] = result.origShape;
      images.push({ id: imageId, file_name: path.basename(file), width, height });
      // Uncompressed RLEs first, for the areas; then pycocotools' compact string form. Category ids start at 1.
      for (const detection of await result.toCOCO(imageId, { compressed: false, categoryIds: (cls) => cls + 1 })) {
        const rle = detection.segmentation as RLE;
        const { category_id, bbox, score } = detection;
        const id = annotations.length + 1;
        annotations.push({
          id,
          image_id: imageId,
          category_id,
          bbox,
          score,
          area: maskArea(rle),
          segmentation: compressRle(rle),
          iscrowd: 0,
        });
      }
      console.log(`${file}: ${result.length} masks`);
    }
  } finally {
    await model.dispose();
  }
  const categories = Object.entries(model.names).map(([cls, name]) => ({ id: Number(cls) + 1, name }));
  await fs.writeFile(out, JSON.stringify({ images, annotations, categories }));
  console.log(`wrote ${out}: ${images.length} images, ${annotations.length} annotations`);
}

main().catch((error: unknown) => {
  console.error(isFastSAMError(error) ? `${error.message} [${error.code}]` : error);
  process.exitCode = 1;
});
