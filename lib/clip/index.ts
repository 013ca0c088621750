/**
 * Text prompts: CLIP's tokenizer, its ONNX encoders, the crops it is shown, and the scoring.
 *
 *   const clip = await ClipScorer.load('clip-vit-base-patch32/');
 *   const { index, scores } = await selectByText(image, result, 'a photo of a dog', clip);
 *
 * Reproduces the reference (CASIA FastSAMPrompt.text_prompt, spec 4.2) except where it is wrong:
 * - CLIP sees RGB (the reference passed BGR for path and PIL inputs);
 * - the chosen candidate maps back to the result through the list of kept masks (the reference's one-pass
 *   correction is wrong when several skipped masks follow the winner);
 * - letterboxed masks (retina off) map to the image through the letterbox, instead of the image being
 *   resized to the mask size.
 * Faithful details: Pillow's bicubic resize bit for bit (not sharp's, which differs by a few levels),
 * torchvision's centre crop (Python rounding), float32 normalisation, masks of <= 100 px (counted in
 * mask coordinates) skipped, softmax(100 * cosine) over the candidates. ftfy.fix_text is not reproduced
 * (only its NFC step): text it would repair tokenizes as Hugging Face's tokenizer does.
 */
export { ClipTokenizer, CLIP_CONTEXT_LENGTH } from './tokenizer';
export type { TokenizeOptions } from './tokenizer';
export type { VocabSource } from './vocab-files';
export { ClipScorer } from './scorer';
export type { ClipSource, ClipLoadOptions, EncodeImagesOptions, EncodeTextsOptions } from './scorer';
export { selectByText, DEFAULT_MIN_AREA } from './select';
export type { SelectByTextOptions, TextSelection } from './select';
export { referenceWindow, referenceCrop, maskedCrop } from './crops';
export type { CropMode, PixelBox } from './crops';
export { ClipPreprocessor, clipGeometry, CLIP_MEAN, CLIP_STD, CLIP_IMAGE_SIZE } from './preprocess';
export type { RawRgb, ClipGeometry } from './preprocess';
