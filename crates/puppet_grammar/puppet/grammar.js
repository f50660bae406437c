/**
 * @file Puppet 7 manifests (.pp): see ../common/define-grammar.js and ../NODES.md.
 */
module.exports = require('../common/define-grammar.js')('puppet');
