// Runs dynalite (an independent implementation of DynamoDB, in memory) on
// 127.0.0.1 until stdin closes, and prints "ready <port>" once it listens.
//
// Usage: node serve.js <createTableMs>
// The test process holds the other end of stdin, so dynalite stops by itself
// when the tests end, however they end. The port is the one the system gives.
'use strict'

const dynalite = require('dynalite')

const createTableMs = Number(process.argv[2] ?? 500)
const server = dynalite({ createTableMs, deleteTableMs: 0, updateTableMs: 0 })

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`ready ${server.address().port}\n`)
})
server.on('error', (error) => {
  console.error(`dynalite could not start: ${error.message}`)
  process.exit(1)
})
process.stdin.on('end', () => process.exit(0))
process.stdin.on('error', () => process.exit(0))
process.stdin.resume()
