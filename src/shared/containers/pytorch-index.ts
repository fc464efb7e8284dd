// Sharded PyTorch checkpoints: pytorch_model.bin.index.json, the same {"metadata", "weight_map"} index as
// safetensors' (safetensors-index.ts), naming torch.save shards. Every tensor of every shard is listed, each
// mapped from its own shard.
import { defineFormat, type Container } from './model'
import { checkpointEntries } from './pytorch'
import { MAX_HEADER } from './safetensors'
import { shardedIndex } from './safetensors-index'
import type { RecipeArray } from './model'

/** Copy as code: the shard the index names for the tensor, loaded without running code. */
function shardRecipe(r: RecipeArray): string {
  return [
    'import json, os',
    'import torch',
    `index = ${r.file}`,
    `shard = json.load(open(index))['weight_map'][${r.name}]`,
    `a = torch.load(os.path.join(os.path.dirname(index), shard), weights_only=True, mmap=True)[${r.name}]`
  ].join('\n')
}

export const pytorchIndex = defineFormat({
  format: 'pytorch-index',
  formats: {
    'pytorch-index': {
      label: 'sharded PyTorch',
      description: 'a sharded PyTorch checkpoint index',
      singleArray: false,
      extensions: ['.bin.index.json', '.pt.index.json'],
      reader: 'torch',
      recipe: shardRecipe
    }
  },
  detect(head, size, fileName) {
    const text = new TextDecoder()
      .decode(head)
      .replace(/^\uFEFF/, '')
      .trimStart()
    return size <= MAX_HEADER && /\.(bin|pt|pth|ckpt)\.index\.json$/i.test(fileName) && text.startsWith('{')
  },
  parse(ctx): Container<'pytorch-index'> {
    return shardedIndex(ctx, 'pytorch-index', (file, shard) =>
      checkpointEntries({ read: file.read, size: file.size, fileName: shard }, shard)
    )
  }
})
