import { mountEditor } from './editor.js';
import { mountPreview } from './preview.js';

/**
 * The flows pages' one script (bundled by esbuild, served from /console/flows/assets): the YAML
 * editor and the preview chat, each mounted when its page has it.
 */
const editor = document.getElementById('yaml-editor');
if (editor) mountEditor(editor);
const preview = document.getElementById('preview');
if (preview) mountPreview(preview);
