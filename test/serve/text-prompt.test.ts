/** Text prompts through the server: CLIP (designed encoders) picks what FastSAMPrompt.text picks. */
import { ClipScorer, FastSAM, FastSAMPrompt } from '../../lib/index';
import type { SegmentAnswer } from '../../lib/formats/segment-json';
import { fixtureDir, removeTempDirs } from '../clip/helpers';
import { expectSameAsResult, postForm, shapesScene, startServer, TWO_SHAPES } from './helpers';

afterAll(() => removeTempDirs());

test('texts= answers the mask CLIP matches, as FastSAMPrompt.text does; /v1/info says CLIP is there', async () => {
  const scene = await shapesScene(TWO_SHAPES);
  const model = await FastSAM.load(scene.model);
  const clip = await ClipScorer.load(fixtureDir('hf'));
  const server = await startServer(model, { clip });
  try {
    expect(((await (await fetch(`${server.url}/v1/info`)).json()) as { clip: boolean }).clip).toBe(true);
    const response = await postForm(server.url, scene.png, { texts: 'a red object' });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as SegmentAnswer;
    const [result] = await model.predict(scene.png, { retinaMasks: true });
    const picked = await new FastSAMPrompt(scene.png, result).text('a red object', { clip });
    await expectSameAsResult(answer, picked);
    expect(answer.detections.map((d) => d.box.map(Math.round))).toEqual([TWO_SHAPES[1].box]); // the red one
    const both = (await (await postForm(server.url, scene.png, { texts: 'a blue object|a red object' })).json()) as SegmentAnswer;
    expect(both.detections).toHaveLength(2);
  } finally {
    await server.close();
    await Promise.all([model.dispose(), clip.dispose()]);
  }
});
