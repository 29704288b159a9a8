// npm run test:image checks what podman needs before it builds anything, and says what is missing and how to
// install it (a machine with podman but without runc, or without container DNS, failed deep inside compose).
import t from 'tap'
import { podmanProblems } from '../image/engine.js'

t.test('podman\'s prerequisites: a runtime it can use, and container DNS for compose', async t => {
  const machine = (has: string[]) => ({ runs: (cmd: string) => has.includes(cmd), exists: (paths: readonly string[]) => paths.some(p => has.includes(p)) })
  t.strictSame(podmanProblems('netavark', machine(['runc', '/usr/lib/podman/aardvark-dns'])), [])
  t.strictSame(podmanProblems('cni', machine(['runc', '/usr/lib/cni/dnsname'])), [])
  const none = podmanProblems('netavark', machine([]))
  t.equal(none.length, 2)
  t.match(none[0], /no runc: .*apt-get install runc$/)
  t.match(none[1], /no container DNS: .*aardvark-dns.*apt-get install aardvark-dns$/)
  t.match(podmanProblems('cni', machine(['runc'])), [/no container DNS: podman uses CNI without the dnsname plugin.*apt-get install golang-github-containernetworking-plugin-dnsname/])
})
