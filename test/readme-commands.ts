// The commands a Markdown file's shell blocks show, with the answers it says they give: read by the README test
// (every command, in the README and in docs/) and by npm run test:image (the walkthrough, against the container).

export interface Command { command: string, expect?: string }

/** The shell blocks' commands: continuation lines joined, comment lines and trailing comments dropped; a comment
 * line that starts with `# {` right after a command is the answer it shows. */
export function shellCommands (markdown: string): Command[] {
  const out: Command[] = []
  for (const [, block = ''] of markdown.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const lines = block.replace(/\\\n\s*/g, '').split('\n').map(l => l.trim()).filter(l => l !== '')
    for (const line of lines) {
      const previous = out.at(-1)
      if (line.startsWith('# {') && previous !== undefined) previous.expect = line.slice(2)
      if (line.startsWith('#')) continue
      // a trailing comment is set off by two spaces or more
      const comment = line.search(/\s\s#/)
      out.push({ command: comment < 0 ? line : line.slice(0, comment).trimEnd() })
    }
  }
  return out
}
